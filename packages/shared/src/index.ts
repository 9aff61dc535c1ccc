export * from './errors.js';
export * from './ffmpeg/index.js';
export * from './config/index.js';
export * from './redis-keys.js';
export * from './logger.js';
export * from './redis.js';
export * from './lifecycle.js';
export * from './storage/index.js';
