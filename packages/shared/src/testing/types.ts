/** A private Redis for one test file. */
export interface RedisService {
  /** `redis://host:port`, for ioredis or BullMQ. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Ends the server and removes its files; safe to call twice. */
  stop(): Promise<void>;
}

/** A private S3 API server with one empty bucket; the fields fit `createS3Storage`. */
export interface S3Service {
  /** Which server answers, for the few places where s3rver's quirks matter. */
  readonly server: 's3rver' | 'minio';
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Ends the server and removes its files; safe to call twice. */
  stop(): Promise<void>;
}
