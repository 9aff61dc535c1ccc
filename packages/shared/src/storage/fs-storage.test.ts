import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { makeTempDir, removeTempDir } from '../testing/temp-dir.js';
import { failingStream, rejectsWithCode } from '../testing/storage-contract-helpers.js';
import { listKeys } from './list-keys.js';
import { readAll } from './body.js';
import { createFsStorage } from './fs-storage.js';
import { RESERVED_TOP_SEGMENT } from './keys.js';

describe('filesystem storage', () => {
  let base = '';
  let count = 0;
  const freshRoot = (): string => path.join(base, String((count += 1)));
  before(async () => {
    base = await makeTempDir('fs-storage-unit');
  });
  after(() => removeTempDir(base));

  /** Everything under root, relative, directories with a trailing slash. */
  async function tree(root: string): Promise<string[]> {
    const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
    return entries
      .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)) + (entry.isDirectory() ? '/' : ''))
      .sort();
  }

  /** Polls until `condition` holds (a write in libuv's thread pool lands a little later). */
  async function eventually(condition: () => Promise<boolean>): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt += 1) {
      if (await condition()) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.fail('the condition never held');
  }

  test('a body that fails midway leaves neither the key nor a temp file', async () => {
    const root = freshRoot();
    const storage = createFsStorage({ root });
    await rejectsWithCode(() => storage.put('segments/v/0.ts', failingStream(1024 * 1024)), 'STORAGE_FAILED');
    assert.deepEqual(await tree(root), [`${RESERVED_TOP_SEGMENT}/`]);
    assert.equal(await storage.head('segments/v/0.ts'), undefined);
  });

  test('while a put is under way, readers get the whole old object; afterwards the whole new one', async () => {
    const root = freshRoot();
    const storage = createFsStorage({ root });
    await storage.put('playlist.m3u8', 'old contents');
    const openedBefore = await storage.getRange('playlist.m3u8');
    const body = new PassThrough();
    const putting = storage.put('playlist.m3u8', body);
    body.write('new contents, first half; ');
    await eventually(async () => (await tree(root)).some((entry) => entry.endsWith('.part')));
    assert.equal((await storage.getBytes('playlist.m3u8')).toString(), 'old contents');
    body.end('second half');
    await putting;
    assert.equal((await storage.getBytes('playlist.m3u8')).toString(), 'new contents, first half; second half');
    assert.equal((await readAll(openedBefore)).toString(), 'old contents', 'a stream opened earlier keeps its object');
  });

  test('temp files are never listed', async () => {
    const root = freshRoot();
    const storage = createFsStorage({ root });
    const body = new PassThrough();
    const putting = storage.put('a.ts', body);
    body.write('partial');
    await eventually(async () => (await tree(root)).some((entry) => entry.endsWith('.part')));
    assert.deepEqual(await listKeys(storage, ''), []);
    body.end();
    await putting;
    assert.deepEqual(await listKeys(storage, ''), ['a.ts']);
  });

  test('deleteMany removes directories it empties, so a key can later take their place', async () => {
    const root = freshRoot();
    const storage = createFsStorage({ root });
    await storage.put('v/720p/0.ts', 'a');
    await storage.put('v/720p/1.ts', 'b');
    await storage.put('w/0.ts', 'c');
    await storage.deleteMany(['v/720p/0.ts', 'v/720p/1.ts']);
    assert.deepEqual(await tree(root), [`${RESERVED_TOP_SEGMENT}/`, 'w/', 'w/0.ts']);
    await storage.put('v', 'now a file');
    assert.equal((await storage.getBytes('v')).toString(), 'now a file');
  });

  test('a key that clashes with another key’s directory is STORAGE_INVALID_KEY and leaves no temp file', async () => {
    const root = freshRoot();
    const storage = createFsStorage({ root });
    await storage.put('a/b', 'x');
    await rejectsWithCode(() => storage.put('a', 'y'), 'STORAGE_INVALID_KEY');
    await rejectsWithCode(() => storage.put('a/b/c', 'z'), 'STORAGE_INVALID_KEY');
    assert.deepEqual(await tree(root), [`${RESERVED_TOP_SEGMENT}/`, 'a/', 'a/b']);
  });

  test('any range on an empty object is STORAGE_INVALID_RANGE; the whole object is empty', async () => {
    const storage = createFsStorage({ root: freshRoot() });
    await storage.put('empty', '');
    await rejectsWithCode(() => storage.getBytes('empty', { start: 0 }), 'STORAGE_INVALID_RANGE');
    assert.equal((await storage.getBytes('empty')).length, 0);
  });

  test('head reports the type the extension implies, whatever put was told', async () => {
    const storage = createFsStorage({ root: freshRoot() });
    await storage.put('x.m3u8', '#EXTM3U', { contentType: 'text/plain' });
    assert.equal((await storage.head('x.m3u8'))?.contentType, 'application/vnd.apple.mpegurl');
  });
});
