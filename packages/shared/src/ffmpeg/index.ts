export * from './process.js';
export * from './run.js';
export * from './probe.js';
export * from './encoders.js';
