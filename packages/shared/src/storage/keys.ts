import { SharedErrors } from '../errors.js';

/** S3's limit on a key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;
/** The usual filesystem limit on one path component, so the fs driver can store every valid key. */
export const MAX_SEGMENT_BYTES = 255;
/** First segment the filesystem driver keeps its temporary files under; no key may use it. */
export const RESERVED_TOP_SEGMENT = '.kiln-tmp';

// C0 controls and DEL: invisible in logs, and NUL ends a path for the OS.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
// With the u flag a surrogate only matches when it is unpaired: such a string has no UTF-8 form.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Why `key` is not a valid object key, or undefined when it is. Keys are slash-separated
 * relative paths that mean the same thing on S3 and on a filesystem.
 */
export function findKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'the key is empty';
  if (LONE_SURROGATE.test(key)) return 'the key is not valid Unicode';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `the key is longer than ${MAX_KEY_BYTES} bytes`;
  if (CONTROL_CHARACTER.test(key)) return 'the key contains a control character';
  if (key.includes('\\')) return 'the key contains a backslash';
  if (key.startsWith('/')) return 'the key starts with /';
  if (key.endsWith('/')) return 'the key ends with /';
  const segments = key.split('/');
  for (const segment of segments) {
    if (segment === '') return 'the key contains an empty segment (//)';
    if (segment === '.' || segment === '..') return `the key contains a ${segment} segment`;
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) {
      return `a key segment is longer than ${MAX_SEGMENT_BYTES} bytes`;
    }
  }
  if (segments[0] === RESERVED_TOP_SEGMENT) return `${RESERVED_TOP_SEGMENT}/ is reserved`;
  return undefined;
}

/** Like `findKeyProblem` for a list prefix: empty means everything, a trailing / is allowed. */
export function findPrefixProblem(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  return findKeyProblem(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

export function assertValidKey(key: string): void {
  const problem = findKeyProblem(key);
  if (problem !== undefined) throw invalidKey(key, problem);
}

export function assertValidPrefix(prefix: string): void {
  const problem = findPrefixProblem(prefix);
  if (problem !== undefined) throw invalidKey(prefix, problem);
}

function invalidKey(key: string, problem: string) {
  return SharedErrors.create('STORAGE_INVALID_KEY', `invalid object key: ${problem}`, {
    details: { key: JSON.stringify(key).slice(0, 200), problem },
  });
}
