import type { BackendLoader } from '../init-backend.js';

/**
 * Loads `@tensorflow/tfjs-backend-webgpu` through a static `import()`, so a bundler includes it
 * (as a lazy chunk) only when this module is imported.
 *
 * @example
 * import { webgpuLoader } from '@kdkit/backend/webgpu';
 * await initBackend('auto', { loaders: { webgpu: webgpuLoader } });
 */
export const webgpuLoader: BackendLoader = () => import('@tensorflow/tfjs-backend-webgpu');
