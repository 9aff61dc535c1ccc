import type { ObjectStorage } from './types.js';

/** Every key under `prefix`, in the storage's order: for deleting a prefix, or checking what is left. */
export async function listKeys(storage: ObjectStorage, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of storage.list(prefix)) keys.push(object.key);
  return keys;
}
