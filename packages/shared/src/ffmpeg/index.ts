export * from './process.js';
export * from './run.js';
export * from './probe.js';
