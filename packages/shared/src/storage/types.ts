import type { Readable } from 'node:stream';

/** What `put` accepts: a stream of unknown length, or bytes already in memory. */
export type PutBody = Readable | Uint8Array | string;

export interface PutOptions {
  /** Stored with the object where the driver can; defaults to a type guessed from the key. */
  readonly contentType?: string;
}

/** Byte positions in the object, both inclusive; without `end`, up to the last byte. */
export interface ByteRange {
  readonly start: number;
  readonly end?: number;
}

export interface ObjectInfo {
  readonly size: number;
  readonly lastModified: Date;
  readonly contentType?: string;
}

export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

/**
 * Object storage as Kiln uses it: sources, segments and playlists under slash-separated keys.
 * Every method validates its keys first (STORAGE_INVALID_KEY); a missing object is
 * STORAGE_NOT_FOUND, a range that starts past the end is STORAGE_INVALID_RANGE, anything else
 * that goes wrong is STORAGE_FAILED.
 */
export interface ObjectStorage {
  /** Stores the whole body under `key`; readers see the old object or the new one, never a part. */
  put(key: string, body: PutBody, options?: PutOptions): Promise<void>;
  /** Streams the object, or the bytes of `range` (an end past the last byte reads to the end). */
  getRange(key: string, range?: ByteRange): Promise<Readable>;
  /** `getRange` collected into memory: for small objects such as playlists. */
  getBytes(key: string, range?: ByteRange): Promise<Buffer>;
  /** Size and dates of the object, or undefined when there is none. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Every object whose key starts with `prefix`, in ascending key order (UTF-8 bytes). */
  list(prefix: string): AsyncIterable<ListedObject>;
  /** Deletes the keys in batches; keys with no object are fine. */
  deleteMany(keys: readonly string[]): Promise<void>;
  /**
   * Copies the object at `from` to `to` inside the store, its bytes never passing through this
   * process where the store can (S3 CopyObject); `to` appears whole or not at all.
   */
  copy(from: string, to: string): Promise<void>;
}
