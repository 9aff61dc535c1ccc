import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { findFreePort, isPortFree } from './ports.js';

test('a free port is free, never 6379, and busy once something listens on it', async () => {
  const port = await findFreePort();
  assert.notEqual(port, 6379);
  assert.equal(await isPortFree(port), true);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  try {
    assert.equal(await isPortFree(port), false);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
