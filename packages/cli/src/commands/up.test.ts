import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { isProcessAlive as isAlive } from '@kiln/shared';
import type { UpState } from '../up/state.js';

// Resolved with `require.resolve` so that the dependency checker sees what the test runs.
const require = createRequire(import.meta.url);
const KILN = require.resolve('../../bin/kiln.js');

interface Running {
  readonly child: ChildProcess;
  readonly output: () => string;
}

function kiln(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, [KILN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  started.push({ child, output: () => output });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await delay(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Every `kiln up` a test started: stopped after each test even when an assertion failed. */
const started: Running[] = [];
afterEach(async () => {
  for (const running of started.splice(0)) {
    if (running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGTERM');
      await exitCode(running.child);
    }
  }
});

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

async function startUp(dataDir: string): Promise<{ up: Running; url: string; state: UpState }> {
  const up = kiln(['up'], { KILN_DATA_DIR: dataDir, KILN_API_PORT: '0', KILN_LOG_LEVEL: 'warn' });
  const url = await waitFor('the URL', () => /Kiln is up: (http:\/\/\S+)/.exec(up.output())?.[1]);
  const state = await waitFor('the run state', async () => {
    const text = await readFile(join(dataDir, 'run', 'up.json'), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as UpState);
  });
  return { up, url, state };
}

test('kiln up serves /health, a second run points at the first, Ctrl-C leaves nothing running', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'kiln-up-'));
  try {
    const { up, url, state } = await startUp(dataDir);
    const health = await fetch(`${url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok', checks: { redis: 'ok', storage: 'ok' } });
    assert.deepEqual(state.children.map((c) => c.name).sort(), ['api', 'pretranscode', 'redis', 'worker']);

    const again = kiln(['up'], { KILN_DATA_DIR: dataDir, KILN_API_PORT: '0' });
    assert.equal(await exitCode(again.child), 0);
    assert.match(again.output(), new RegExp(`already running \\(pid ${state.pid}\\) at ${url}`));

    up.child.kill('SIGINT');
    assert.equal(await exitCode(up.child), 0);
    assert.match(up.output(), /Kiln stopped/);
    for (const child of state.children) assert.equal(isAlive(child.pid), false, `${child.name} still running`);
    await assert.rejects(readFile(join(dataDir, 'run', 'up.json')), 'run state removed');
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('after the supervisor is killed outright, its node children exit and the next run clears the old Redis', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'kiln-up-'));
  try {
    const first = await startUp(dataDir);
    first.up.child.kill('SIGKILL');
    await exitCode(first.up.child);
    const nodeChildren = first.state.children.filter((c) => c.name !== 'redis');
    await waitFor('node children to exit', () => (nodeChildren.some((c) => isAlive(c.pid)) ? undefined : true), 20_000);
    const oldRedis = first.state.children.find((c) => c.name === 'redis')!;
    assert.ok(isAlive(oldRedis.pid), 'redis-server does not watch its parent; the next run must clear it');

    const second = await startUp(dataDir);
    assert.equal(isAlive(oldRedis.pid), false, 'the leftover redis-server was stopped');
    assert.match(second.up.output(), /previous run/);
    second.up.child.kill('SIGTERM');
    assert.equal(await exitCode(second.up.child), 0);
    for (const child of second.state.children) assert.equal(isAlive(child.pid), false, `${child.name} still running`);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('kiln up makes one admin API key, keeps it private, prints it each start; kiln keys works beside it', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'kiln-up-'));
  try {
    const first = await startUp(dataDir);
    const key = (await readFile(join(dataDir, 'api-key'), 'utf8')).trim();
    assert.equal((await stat(join(dataDir, 'api-key'))).mode & 0o777, 0o600);
    assert.ok(first.up.output().includes(key), 'the key is printed with the URL');
    const video = (headers: Record<string, string>) => fetch(`${first.url}/v1/videos/nope`, { headers });
    assert.equal((await video({})).status, 401);
    assert.equal((await video({ authorization: 'Bearer kiln_wrong-wrong-wrong-wrong' })).status, 401);
    assert.equal((await video({ authorization: `Bearer ${key}` })).status, 404, 'past the key check: no such video');

    const made = kiln(['keys', 'create', '--name', 'player backend', '--scope', 'playback'], { KILN_DATA_DIR: dataDir });
    assert.equal(await exitCode(made.child), 0);
    const playbackKey = /^(kiln_\S+)$/m.exec(made.output())?.[1];
    assert.ok(playbackKey !== undefined, made.output());
    assert.equal((await video({ authorization: `Bearer ${playbackKey}` })).status, 404);
    const upload = await fetch(`${first.url}/v1/videos`, { method: 'POST', body: 'x', headers: { authorization: `Bearer ${playbackKey}` } });
    assert.equal(upload.status, 403, 'a playback key may not upload');
    const listed = kiln(['keys', 'list'], { KILN_DATA_DIR: dataDir });
    assert.equal(await exitCode(listed.child), 0);
    const id = /^(key_[0-9a-f]+) +playback/m.exec(listed.output())?.[1];
    assert.ok(id !== undefined, listed.output());
    assert.equal(await exitCode(kiln(['keys', 'revoke', id], { KILN_DATA_DIR: dataDir }).child), 0);
    assert.equal((await video({ authorization: `Bearer ${playbackKey}` })).status, 401, 'revoked at once');

    first.up.child.kill('SIGTERM');
    assert.equal(await exitCode(first.up.child), 0);
    const second = await startUp(dataDir);
    assert.ok(second.up.output().includes(key), 'the same key, printed again');
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a bad configuration stops kiln up before anything starts, naming every bad variable', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'kiln-up-'));
  try {
    const up = kiln(['up'], { KILN_DATA_DIR: dataDir, KILN_API_PORT: 'eighty', KILN_LOG_LEVEL: 'chatty' });
    assert.equal(await exitCode(up.child), 1);
    assert.match(up.output(), /CONFIG_INVALID/);
    assert.match(up.output(), /KILN_API_PORT="eighty"/);
    assert.match(up.output(), /KILN_LOG_LEVEL="chatty"/);
    await assert.rejects(readFile(join(dataDir, 'run', 'up.json')));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
