export { decodeFrames, makeSource, waitFor, type FrameInfo } from './harness.js';
