export { allClose, type CloseOptions, expectAllClose, type Numeric } from './all-close.js';
export { type BackendActivator, describeBackends, setBackendActivator } from './backends.js';
export { expectNoLeaks } from './leaks.js';
export { randomArray } from './random.js';
