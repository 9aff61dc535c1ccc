import { isKilnError, SharedErrors } from '../errors.js';
import type { KilnError } from '../errors.js';
import { notFound, storageFailed } from './storage-errors.js';

/** The parts of an SDK v3 service error we read (`S3ServiceException`). */
interface SdkErrorShape {
  readonly name?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

function errorName(error: unknown): unknown {
  return (error as SdkErrorShape | undefined)?.name;
}

function httpStatus(error: unknown): unknown {
  return (error as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
}

/**
 * GetObject answers NoSuchKey; HeadObject has no body, so the SDK names its 404 NotFound.
 * A bare 404 is not enough: NoSuchBucket is a 404 too, and that is a broken setup.
 */
export function isMissingObject(error: unknown): boolean {
  const name = errorName(error);
  return name === 'NoSuchKey' || name === 'NotFound';
}

export function isInvalidRange(error: unknown): boolean {
  return errorName(error) === 'InvalidRange' || httpStatus(error) === 416;
}

/** An SDK (or stream) error as one of Kiln's typed storage errors. */
export function s3Error(error: unknown, operation: string, key: string): KilnError {
  if (isKilnError(error)) return error;
  if (isMissingObject(error)) return notFound(key);
  if (isInvalidRange(error)) {
    return SharedErrors.create('STORAGE_INVALID_RANGE', 'the byte range starts past the end of the object', {
      details: { key },
      cause: error,
    });
  }
  return storageFailed('S3', operation, key, error);
}
