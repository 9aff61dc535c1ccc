import { defineErrors } from '../errors.js';

/**
 * Codes every Kiln HTTP service answers with, whatever its routes: the shared error handler
 * gives them, and a route may raise them too. Each service's own registry holds only its codes.
 */
export const HttpErrors = defineErrors({
  ROUTE_NOT_FOUND: { httpStatus: 404, message: 'no such route' },
  BAD_REQUEST: { httpStatus: 400, message: 'the request is not valid' },
  BODY_TOO_LARGE: { httpStatus: 413, message: 'the request body is larger than this route accepts' },
  INTERNAL: { message: 'something went wrong on our side' },
});

export type HttpErrorCode = keyof typeof HttpErrors.specs;
