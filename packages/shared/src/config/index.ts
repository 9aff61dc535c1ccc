export * from './define.js';
export * from './values.js';
export * from './settings.js';
export * from './storage.js';
