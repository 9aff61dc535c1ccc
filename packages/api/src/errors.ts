import { defineErrors } from '@kiln/shared';

/** Errors the API answers with; each code is stable, clients may depend on it. */
export const ApiErrors = defineErrors({
  ROUTE_NOT_FOUND: { httpStatus: 404, message: 'no such route' },
  BAD_REQUEST: { httpStatus: 400, message: 'the request is not valid' },
  INTERNAL: { message: 'something went wrong on our side' },
});
