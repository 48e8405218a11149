export {
  AUTO_ORDER,
  BACKEND_PREFERENCES,
  type BackendInfo,
  type BackendName,
  type BackendPreference,
  currentBackend,
  type InitBackendOptions,
  initBackend,
  type Platform,
} from './init-backend.js';
