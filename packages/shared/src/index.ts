export * from './errors.js';
export * from './ffmpeg/index.js';
