export { buildApiApp, type ApiDependencies } from './app.js';
export { runApi } from './server.js';
export { ApiErrors } from './errors.js';
export { generateApiKey } from './auth/api-keys.js';
export { createApiKeyStore, type ApiKeyInfo, type ApiKeyStore } from './auth/key-store.js';
export { isScope, SCOPES, type Scope } from './auth/scopes.js';
