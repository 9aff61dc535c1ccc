/**
 * Where resumable (tus) uploads live: their state in Redis, their bytes in object storage as one
 * object per PATCH request (`upload-parts/{id}/{n}`), so any API node can take the next request and
 * a dropped connection keeps every byte that arrived (tus ends the body cleanly on abort, and the
 * part holds what came). When the last byte is in, `assemble` joins the parts into `uploads/{id}`,
 * the one object ingest reads. The protocol is @tus/server's; this is its storage.
 */
import { Readable, Transform } from 'node:stream';
import type { Redis } from 'ioredis';
import { DataStore, ERRORS, Upload } from '@tus/utils';
import { listKeys, uploadObjectKey, uploadPartKey, uploadPartsPrefix, type ObjectStorage, type RedisKeys } from '@kiln/shared';
import type { UploadSlots } from './upload-slots.js';

const FIELDS = ['size', 'offset', 'parts', 'metadata', 'created'] as const;

export interface ResumableStoreOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly storage: ObjectStorage;
  /** An unfinished upload, its state and its parts are removed this long after its creation. */
  readonly expirationMs: number;
  readonly now: () => Date;
  /** The per-key cap's slots: a terminated upload frees its own before tus answers. */
  readonly slots?: UploadSlots;
}

export class ResumableUploadStore extends DataStore {
  constructor(private readonly options: ResumableStoreOptions) {
    super();
    this.extensions = ['creation', 'creation-with-upload', 'creation-defer-length', 'termination', 'expiration'];
  }

  override async create(upload: Upload): Promise<Upload> {
    const { redis, keys } = this.options;
    const created = this.options.now();
    upload.creation_date = created.toISOString();
    await redis.multi()
      .hset(keys.resumableUpload(upload.id), {
        size: upload.size ?? '', offset: 0, parts: 0, metadata: JSON.stringify(upload.metadata ?? {}), created: created.getTime(),
      })
      .pexpire(keys.resumableUpload(upload.id), this.options.expirationMs)
      .zadd(keys.resumableUploads(), created.getTime(), upload.id)
      .exec();
    return upload;
  }

  override async getUpload(id: string): Promise<Upload> {
    const state = await this.readState(id);
    const size = state.size === '' ? undefined : Number(state.size);
    const metadata = JSON.parse(state.metadata ?? '{}') as Record<string, string | null>;
    return new Upload({ id, size, offset: Number(state.offset), metadata, creation_date: new Date(Number(state.created)).toISOString() });
  }

  /** Stores the body as the next part; the caller (tus) holds the upload's lock and has checked the offset. */
  override async write(body: Readable, id: string, offset: number): Promise<number> {
    const state = await this.readState(id);
    let received = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        callback(null, chunk);
      },
    });
    body.once('error', (error) => counter.destroy(error));
    const part = Number(state.parts);
    await this.options.storage.put(uploadPartKey(id, part), body.pipe(counter), { contentType: 'application/octet-stream' });
    if (received === 0) {
      await this.options.storage.deleteMany([uploadPartKey(id, part)]);
      return offset;
    }
    await this.options.redis.hset(this.options.keys.resumableUpload(id), { offset: offset + received, parts: part + 1 });
    return offset + received;
  }

  override async declareUploadLength(id: string, size: number): Promise<void> {
    await this.readState(id);
    await this.options.redis.hset(this.options.keys.resumableUpload(id), 'size', size);
  }

  /** Termination: the parts, then the state; a finished upload is kept (tus refuses to terminate it). */
  override async remove(id: string): Promise<void> {
    await this.readState(id);
    await this.forget(id);
    await this.options.slots?.release(id);
  }

  override async deleteExpired(): Promise<number> {
    const cutoff = this.options.now().getTime() - this.options.expirationMs;
    const expired = await this.options.redis.zrangebyscore(this.options.keys.resumableUploads(), '-inf', cutoff);
    for (const id of expired) await this.forget(id);
    return expired.length;
  }

  override getExpiration(): number {
    return this.options.expirationMs;
  }

  /**
   * Joins the parts into `uploads/{id}` and deletes them. Only the first caller for an upload gets
   * `true` and does the work: a client that repeats its last PATCH must not start a second ingest.
   */
  async assemble(id: string): Promise<boolean> {
    const { redis, keys, storage } = this.options;
    if ((await redis.hsetnx(keys.resumableUpload(id), 'assembling', '1')) === 0) return false;
    const parts = Number((await this.readState(id)).parts);
    const partKeys = Array.from({ length: parts }, (_unused, part) => uploadPartKey(id, part));
    await storage.put(uploadObjectKey(id), Readable.from(concatenate(storage, partKeys)), { contentType: 'application/octet-stream' });
    await storage.deleteMany(partKeys);
    await redis.zrem(keys.resumableUploads(), id);
    return true;
  }

  private async forget(id: string): Promise<void> {
    const { redis, keys, storage } = this.options;
    await storage.deleteMany(await listKeys(storage, uploadPartsPrefix(id)));
    await redis.multi().del(keys.resumableUpload(id)).zrem(keys.resumableUploads(), id).exec();
  }

  private async readState(id: string): Promise<Partial<Record<(typeof FIELDS)[number], string>>> {
    const values = await this.options.redis.hmget(this.options.keys.resumableUpload(id), ...FIELDS);
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- tus answers its own error objects with their status
    if (values[1] === null) throw ERRORS.FILE_NOT_FOUND;
    return Object.fromEntries(FIELDS.map((field, index) => [field, values[index] ?? undefined]));
  }
}

/** The parts' bytes one after another, each part opened only when the one before has ended. */
async function* concatenate(storage: ObjectStorage, partKeys: readonly string[]): AsyncGenerator<Buffer> {
  for (const key of partKeys) {
    for await (const chunk of await storage.getRange(key)) yield chunk as Buffer;
  }
}
