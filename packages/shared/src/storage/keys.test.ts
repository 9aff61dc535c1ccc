import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SharedErrors } from '../errors.js';
import { assertValidKey, findKeyProblem, findPrefixProblem, MAX_KEY_BYTES } from './keys.js';

describe('findKeyProblem', () => {
  test('accepts the keys Kiln writes', () => {
    for (const key of ['sources/v1.mp4', 'segments/v1/720p/12.ts', 'a', 'é/ü.ts', '.hidden/x', 'a..b', `${'a'.repeat(255)}/b`]) {
      assert.equal(findKeyProblem(key), undefined, key);
    }
  });

  test('names the problem with each bad key', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['/etc/passwd', /starts with \//],
      ['a/', /ends with \//],
      ['a//b', /empty segment/],
      ['a/../b', /\.\. segment/],
      ['..', /\.\. segment/],
      ['a/./b', /\. segment/],
      ['a\\b', /backslash/],
      ['a\0b', /control character/],
      ['a\nb', /control character/],
      ['a\uD800b', /not valid Unicode/],
      ['x'.repeat(MAX_KEY_BYTES + 1), /longer than 1024 bytes/],
      ['é'.repeat(513), /longer than 1024 bytes/],
      ['a'.repeat(256), /segment is longer than 255 bytes/],
      ['.kiln-tmp/x', /reserved/],
    ];
    for (const [key, problem] of cases) assert.match(findKeyProblem(key) ?? 'accepted', problem, JSON.stringify(key));
  });

  test('no key with a .. segment is ever accepted, wherever the segment is', () => {
    const segment = fc.stringMatching(/^[a-z0-9._-]{1,8}$/);
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 4 }), fc.array(segment, { maxLength: 4 }), (before, after) => {
        assert.notEqual(findKeyProblem([...before, '..', ...after].join('/')), undefined);
      }),
    );
  });

  test('assertValidKey throws STORAGE_INVALID_KEY with the problem in its details', () => {
    assert.throws(
      () => assertValidKey('../x'),
      (error: unknown) => SharedErrors.is(error, 'STORAGE_INVALID_KEY') && error.details?.problem === 'the key contains a .. segment',
    );
  });
});

describe('findPrefixProblem', () => {
  test('allows the empty prefix, a trailing slash and a partial segment', () => {
    for (const prefix of ['', 'segments/', 'segments/v1', 'segments/v1/']) assert.equal(findPrefixProblem(prefix), undefined, prefix);
  });

  test('rejects what keys may not contain', () => {
    for (const prefix of ['/', '../', 'a//', 'a\\', '.kiln-tmp/']) assert.notEqual(findPrefixProblem(prefix), undefined, prefix);
  });
});
