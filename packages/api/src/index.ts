export { buildApiApp, type ApiDependencies } from './app.js';
export { runApi } from './server.js';
export { ApiErrors } from './errors.js';
