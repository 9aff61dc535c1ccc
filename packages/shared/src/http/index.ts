export { HttpErrors, type HttpErrorCode } from './errors.js';
export { answerFrameworkError, installErrorHandler, type ErrorPolicy } from './error-handler.js';
