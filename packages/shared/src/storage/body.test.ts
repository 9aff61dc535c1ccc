import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { readAll, takeBytes, toReadable } from './body.js';
import { contentTypeForKey } from './content-type.js';

describe('body helpers', () => {
  test('toReadable streams strings and bytes unchanged', async () => {
    assert.equal((await readAll(toReadable('héllo'))).toString('utf8'), 'héllo');
    assert.deepEqual(await readAll(toReadable(new Uint8Array([1, 2, 3]))), Buffer.from([1, 2, 3]));
    assert.equal((await readAll(toReadable(''))).length, 0);
  });

  test('takeBytes stops after the limit, also inside a chunk, and stops reading the source', async () => {
    const source = Readable.from([Buffer.from('abc'), Buffer.from('defg'), Buffer.from('hij')]);
    assert.equal((await readAll(takeBytes(source, 5))).toString(), 'abcde');
    assert.ok(source.destroyed, 'the rest of the source is not read');
    assert.equal((await readAll(takeBytes(Readable.from([Buffer.from('ab')]), 5))).toString(), 'ab');
  });
});

describe('contentTypeForKey', () => {
  test('knows the types Kiln serves and defaults to plain bytes', () => {
    assert.equal(contentTypeForKey('segments/v/720p/3.ts'), 'video/mp2t');
    assert.equal(contentTypeForKey('playlists/v/Index.M3U8'), 'application/vnd.apple.mpegurl');
    assert.equal(contentTypeForKey('sources/v.mp4'), 'video/mp4');
    assert.equal(contentTypeForKey('sources/.ts'), 'application/octet-stream');
    assert.equal(contentTypeForKey('a.ts/noextension'), 'application/octet-stream');
  });
});
