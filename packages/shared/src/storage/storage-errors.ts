import { SharedErrors } from '../errors.js';

/** One key that a delete batch could not remove, as the storage reported it. */
export interface DeleteFailure {
  readonly key: string;
  readonly code?: string;
  readonly message: string;
}

export function notFound(key: string) {
  return SharedErrors.create('STORAGE_NOT_FOUND', `no object at ${key}`, { details: { key } });
}

/** Lists every key that stayed, so the caller can retry exactly those. */
export function deleteFailed(failures: readonly DeleteFailure[]) {
  return SharedErrors.create('STORAGE_FAILED', `could not delete ${failures.length} object(s)`, {
    details: { failures },
  });
}

export function storageFailed(driver: string, operation: string, key: string, cause: unknown) {
  return SharedErrors.create('STORAGE_FAILED', `${driver} storage could not ${operation} ${key}`, {
    details: { key },
    cause,
  });
}
