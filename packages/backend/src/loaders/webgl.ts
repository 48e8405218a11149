import type { BackendLoader } from '../init-backend.js';

/**
 * Loads `@tensorflow/tfjs-backend-webgl` through a static `import()`, so a bundler includes it
 * (as a lazy chunk) only when this module is imported.
 *
 * @example
 * import { webglLoader } from '@kdkit/backend/webgl';
 * await initBackend('auto', { loaders: { webgl: webglLoader } });
 */
export const webglLoader: BackendLoader = () => import('@tensorflow/tfjs-backend-webgl');
