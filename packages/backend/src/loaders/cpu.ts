import type { BackendLoader } from '../init-backend.js';

/**
 * Loads `@tensorflow/tfjs-backend-cpu` through a static `import()`, so a bundler includes it
 * (as a lazy chunk) only when this module is imported.
 *
 * @example
 * import { cpuLoader } from '@kdkit/backend/cpu';
 * await initBackend('auto', { loaders: { cpu: cpuLoader } });
 */
export const cpuLoader: BackendLoader = () => import('@tensorflow/tfjs-backend-cpu');
