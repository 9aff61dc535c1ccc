import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { isProcessAlive } from '../process-status.js';
import { createS3Storage } from '../storage/s3-storage.js';
import { childEnvironment } from './child-processes.js';
import { listChildProcesses, parseParentPid } from './process-table.js';
import { chooseServiceBackend, parseServiceBackend, startServices } from './services.js';
import type { RedisService } from './types.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
// Resolved with `require.resolve` so that the dependency checker sees what the test runs.
const require = createRequire(import.meta.url);
const FIXTURE = require.resolve('./fixtures/services-then-exit.ts');

async function redisDirectory(redis: RedisService): Promise<string> {
  const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    assert.equal(await client.ping(), 'PONG');
    const reply = await client.config('GET', 'dir');
    return reply[1] ?? '';
  } finally {
    client.disconnect();
  }
}

async function serviceChildren(parentPid = process.pid) {
  return (await listChildProcesses(parentPid)).filter((child) => /redis-server|s3rver/.test(child.commandLine));
}

const exists = (path: string) => access(path).then(() => true, () => false);


async function eventually(condition: () => Promise<boolean>, message: string): Promise<void> {
  for (let attempt = 0; attempt < 250; attempt += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(message);
}

/** Runs the fixture in its own node process; resolves with what it printed and the process. */
function runFixture(mode: 'exit' | 'hang') {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, mode], { cwd: REPO_ROOT, env: childEnvironment(), stdio: ['ignore', 'pipe', 'inherit'] });
  const report = new Promise<{ pids: number[]; directories: string[] }>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) resolve(JSON.parse(output) as { pids: number[]; directories: string[] });
    });
    child.once('exit', (code) => reject(new Error(`the fixture exited (${code}) before reporting`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, report, exited };
}

describe('test services', () => {
  test('KILN_TEST_SERVICES forces a backend; anything else is an error', async () => {
    assert.equal(parseServiceBackend(undefined), 'auto');
    assert.equal(parseServiceBackend('local'), 'local');
    assert.equal(parseServiceBackend('containers'), 'containers');
    assert.throws(() => parseServiceBackend('docker'), /KILN_TEST_SERVICES/);
    assert.equal(await chooseServiceBackend({ KILN_TEST_SERVICES: 'local' }), 'local');
  });

  test('Redis answers on its own port, never 6379; two harnesses at once get different servers', async () => {
    const [first, second] = await Promise.all([startServices({ redis: true }), startServices({ redis: true })]);
    try {
      assert.notEqual(first.redis.port, 6379);
      assert.notEqual(second.redis.port, 6379);
      assert.notEqual(first.redis.port, second.redis.port);
      assert.equal(first.redis.url, `redis://${first.redis.host}:${first.redis.port}`);
      assert.notEqual(await redisDirectory(first.redis), await redisDirectory(second.redis));
      assert.equal(first.s3, undefined);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });

  test('local services: S3 holds a bucket; after stop() no child process and no temp dir remains', async () => {
    const services = await startServices({ redis: true, s3: true, backend: 'local' });
    const directories = [await redisDirectory(services.redis)];
    try {
      const storage = createS3Storage(services.s3);
      await storage.put('hello.txt', 'hello');
      assert.equal((await storage.getBytes('hello.txt')).toString(), 'hello');
      const children = await serviceChildren();
      assert.equal(children.length, 2, 'one redis-server and one s3rver');
      const s3rverLine = children.find((child) => child.commandLine.includes('s3rver'))?.commandLine ?? '';
      assert.match(s3rverLine, /--openssl-legacy-provider/);
      directories.push(/--directory (\S+)/.exec(s3rverLine)?.[1] ?? 'missing');
      for (const directory of directories) assert.ok(await exists(directory), directory);
    } finally {
      await services.stop();
      await services.stop();
    }
    assert.deepEqual(await serviceChildren(), []);
    for (const directory of directories) assert.equal(await exists(directory), false, directory);
  });

  test('the S3 test server lives through puts, deletes and listings racing under one prefix (patched s3rver)', async () => {
    // Unpatched, s3rver 3.7.1 removed a directory a delete left empty while a put under it was
    // between its mkdir and its open: an unhandled ENOENT, and the server exited (4 loops: ~60 puts).
    const services = await startServices({ s3: true, backend: 'local' });
    try {
      const storage = createS3Storage(services.s3);
      const loop = async (name: string) => {
        for (let index = 0; index < 100; index += 1) {
          await storage.put(`race/${name}${index}`, 'x');
          await storage.deleteMany([`race/${name}${index}`]);
        }
      };
      const listings = async () => {
        for (let index = 0; index < 50; index += 1) for await (const listed of storage.list('race/')) assert.match(listed.key, /^race\//);
      };
      await Promise.all([...['a', 'b', 'c', 'd'].map(loop), listings()]);
      await storage.put('race/last', 'still here');
      assert.equal((await storage.getBytes('race/last')).toString(), 'still here');
    } finally {
      await services.stop();
    }
  });

  test('a test process that ends without stop() takes its services with it', async () => {
    const { report, exited } = runFixture('exit');
    const { pids, directories } = await report;
    await exited;
    assert.equal(pids.length, 2);
    for (const pid of pids) assert.equal(isProcessAlive(pid), false, `pid ${pid}`);
    for (const directory of directories) assert.equal(await exists(directory), false, directory);
  });

  test('a test process killed with SIGKILL takes its services with it (watchdog)', async () => {
    const { child, report, exited } = runFixture('hang');
    const { pids, directories } = await report;
    assert.equal(pids.length, 2);
    for (const pid of pids) assert.ok(isProcessAlive(pid));
    child.kill('SIGKILL');
    await exited;
    for (const pid of pids) await eventually(() => Promise.resolve(!isProcessAlive(pid)), `pid ${pid} outlived its parent`);
    for (const directory of directories) await eventually(async () => !(await exists(directory)), `${directory} remains`);
  });
});

describe('parseParentPid', () => {
  test('reads the field after the state, even when the command name holds spaces and parentheses', () => {
    assert.equal(parseParentPid('123 (redis-server) S 77 123 1 0'), 77);
    assert.equal(parseParentPid('124 (a (b) c) R 78 124 1 0'), 78);
  });
});
