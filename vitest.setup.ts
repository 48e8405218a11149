// Loaded before every test file: registers `toBeAllClose` and makes describeBackends()
// switch backends through @kdkit/backend, so wasm suites get kdkit's training kernels.
import { initBackend } from '@kdkit/backend';
import { setBackendActivator } from '@kdkit/test-utils';

setBackendActivator(async (name) => {
  await initBackend(name, { log: false });
});
