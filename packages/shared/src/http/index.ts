export { HttpErrors, type HttpErrorCode } from './errors.js';
export { installErrorHandler, type ErrorPolicy } from './error-handler.js';
