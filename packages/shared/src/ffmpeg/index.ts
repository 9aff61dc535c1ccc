export * from './process.js';
export * from './run.js';
export * from './ffprobe.js';
export * from './encoders.js';
export * from './whitelists.js';
