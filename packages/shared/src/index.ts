export * from './errors.js';
export * from './ffmpeg/index.js';
export * from './config/index.js';
export * from './redis-keys.js';
export * from './logger.js';
