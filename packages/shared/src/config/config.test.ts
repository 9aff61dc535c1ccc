import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKilnError } from '../errors.js';
import { CONFIG_GROUPS, configTable, loadApiConfig, loadUpConfig, loadWorkerConfig } from './index.js';

const SECRET = 'x'.repeat(40);
const apiEnv = { KILN_REDIS_URL: 'redis://127.0.0.1:7000', KILN_TOKEN_SECRETS: SECRET };

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    assert.ok(isKilnError(error) && error.code === 'CONFIG_INVALID');
    return error.details?.problems as string[];
  }
  assert.fail('expected CONFIG_INVALID');
}

test('defaults fill what is not set and the result is frozen', () => {
  const config = loadApiConfig(apiEnv);
  assert.equal(config.apiPort, 8080);
  assert.equal(config.storageDriver, 'fs');
  assert.equal(config.storageDir, undefined);
  assert.deepEqual(config.tokenSecrets, [SECRET]);
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.tokenSecrets));
  assert.throws(() => {
    (config as { apiPort: number }).apiPort = 1;
  }, TypeError);
});

test('units are converted: durations to ms, flags to booleans, numbers to numbers', () => {
  const config = loadWorkerConfig({
    KILN_REDIS_URL: 'redis://h:1', KILN_LOAD_REPORT_INTERVAL: '250ms', KILN_LOAD_REPORT_TTL: '1.5s',
    KILN_SHUTDOWN_GRACE: '2m', KILN_S3_FORCE_PATH_STYLE: 'no', KILN_WORKER_CAPACITY: '3', KILN_WORKER_PORT: '9000',
  });
  assert.equal(config.loadReportInterval, 250);
  assert.equal(config.loadReportTtl, 1500);
  assert.equal(config.shutdownGrace, 120_000);
  assert.equal(config.s3ForcePathStyle, false);
  assert.equal(config.workerCapacity, 3);
  assert.equal(config.workerPort, 9000);
});

test('a bad config fails once, listing every bad key', () => {
  const problems = problemsOf(() =>
    loadApiConfig({ KILN_REDIS_URL: 'http://nope', KILN_API_PORT: '70000', KILN_LOG_LEVEL: 'loud', KILN_STORAGE: 'ftp' }),
  );
  const keys = problems.map((problem) => problem.split(/[=:]/)[0]);
  assert.deepEqual(keys.sort(), ['KILN_API_PORT', 'KILN_LOG_LEVEL', 'KILN_REDIS_URL', 'KILN_STORAGE', 'KILN_TOKEN_SECRETS'].sort());
  assert.match(problems.find((p) => p.startsWith('KILN_TOKEN_SECRETS'))!, /is required/);
});

test('secrets never appear in error messages', () => {
  const problems = problemsOf(() => loadApiConfig({ ...apiEnv, KILN_TOKEN_SECRETS: 'short-secret-value' }));
  assert.equal(problems.length, 1);
  assert.doesNotMatch(problems[0], /short-secret-value/);
  assert.match(problems[0], /at least 32/);
});

test('checks across keys run once every key is valid', () => {
  const problems = problemsOf(() => loadWorkerConfig({ KILN_REDIS_URL: 'redis://h:1', KILN_LOAD_REPORT_INTERVAL: '3s', KILN_S3_ACCESS_KEY_ID: 'id' }));
  assert.equal(problems.length, 2);
  assert.match(problems.join('\n'), /KILN_LOAD_REPORT_TTL/);
  assert.match(problems.join('\n'), /set both or neither/);
});

test('bad durations, integers and empty values are refused with a reason', () => {
  const problems = problemsOf(() => loadWorkerConfig({ KILN_REDIS_URL: 'redis://h:1', KILN_LOAD_REPORT_TTL: 'soon', KILN_WORKER_CAPACITY: '1.5' }));
  assert.equal(problems.length, 2);
  assert.match(problems.join('\n'), /KILN_LOAD_REPORT_TTL="soon": must be a duration/);
  assert.match(problems.join('\n'), /KILN_WORKER_CAPACITY="1.5": must be a whole number/);
  assert.equal(loadUpConfig({ KILN_DATA_DIR: '' }).dataDir, '.kiln', 'an empty value means unset');
});

test('the configuration table lists every variable once with the processes that read it', () => {
  const table = configTable(CONFIG_GROUPS);
  const rows = table.split('\n').slice(2);
  const names = rows.map((row) => /`(KILN_[A-Z0-9_]+)`/.exec(row)?.[1]);
  assert.equal(new Set(names).size, rows.length);
  assert.match(table, /\| `KILN_API_PORT` \| `8080` \| api, up \|/);
  assert.match(table, /\| `KILN_TOKEN_SECRETS` \| \*\(required\)\* \| api \|/);
});

test('storage settings map to driver options with absolute paths', async () => {
  const { storageOptionsFromConfig } = await import('./storage.js');
  const fs = storageOptionsFromConfig(loadApiConfig({ ...apiEnv, KILN_DATA_DIR: 'rel/data' }));
  assert.equal(fs.driver, 'fs');
  assert.ok(fs.driver === 'fs' && fs.root.endsWith('/rel/data/objects') && fs.root.startsWith('/'));
  const s3 = storageOptionsFromConfig(loadApiConfig({
    ...apiEnv, KILN_STORAGE: 's3', KILN_S3_ENDPOINT: 'http://127.0.0.1:9000', KILN_S3_BUCKET: 'b',
    KILN_S3_ACCESS_KEY_ID: 'id', KILN_S3_SECRET_ACCESS_KEY: 'key',
  }));
  assert.deepEqual(s3, { driver: 's3', region: 'us-east-1', bucket: 'b', forcePathStyle: true, endpoint: 'http://127.0.0.1:9000', accessKeyId: 'id', secretAccessKey: 'key' });
});
