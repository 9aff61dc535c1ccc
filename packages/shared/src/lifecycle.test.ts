import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

// Resolved with `require.resolve` so that the dependency checker sees what the test runs.
const require = createRequire(import.meta.url);
const FIXTURE = require.resolve('./testing/fixtures/early-sigterm.ts');

/** Runs the fixture in its own process (the test runner handles SIGTERM in this one). */
function runFixture(args: string[] = []): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout })));
}

test('a SIGTERM that arrives while the service is still starting stops it once it is up', async () => {
  assert.deepEqual(await runFixture(), { code: 0, signal: null, stdout: 'stopped\n' });
});

test('a service that does not stop within the grace period exits 1, not by the signal', async () => {
  assert.deepEqual(await runFixture(['--hang']), { code: 1, signal: null, stdout: '' });
});
