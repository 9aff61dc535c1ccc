/**
 * Crafted uploads through the real ingest inspection (real ffprobe and ffmpeg): HLS playlists and
 * DASH manifests naming a local file or a loopback URL, concat scripts, disguised as MP4 or not,
 * and an image-sequence pattern. Each is refused as NOT_A_VIDEO, no tool read anything from it
 * (ffprobe found no stream), the canary server got no request and no output holds its marker.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LOCAL_PROTOCOLS, runFfprobe } from '@kiln/shared';
import { makeTempDir, removeTempDir } from '@kiln/shared/testing';
import { holdsCanary, startCanary, writeHostileInputs, type Canary, type HostileInput } from '../testing/hostile-inputs.js';
import { inspectSource } from './inspect.js';
import { probeArgs } from './probe-args.js';

let dir: string;
let canary: Canary;
let inputs: HostileInput[];

before(async () => {
  dir = await makeTempDir('kiln-hostile-ingest-');
  canary = await startCanary(dir);
  inputs = await writeHostileInputs(dir, canary);
});
after(async () => {
  await canary.close();
  await removeTempDir(dir);
});

/** ffprobe with a protocol list and no demuxer list: the file protocol lets a playlist name local files. */
async function streamsWithoutDemuxerList(path: string): Promise<string> {
  const args = ['-v', 'error', '-protocol_whitelist', LOCAL_PROTOCOLS.join(','), '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', path];
  return (await runFfprobe(args).catch(() => ({ stdout: Buffer.alloc(0) }))).stdout.toString('utf8');
}

test('control: with the protocol list alone, every local crafted upload reads what it names', async () => {
  const local = inputs.filter((input) => !input.name.includes('http'));
  assert.equal(local.length, 6);
  for (const input of local) assert.match(await streamsWithoutDemuxerList(input.path), /video/, input.name);
});

/** What is wrong with the inspection of a crafted upload; undefined when it was refused unread. */
async function problemOf(input: HostileInput): Promise<string | undefined> {
  const inspection = await inspectSource(input.path);
  const { verdict } = inspection;
  if (verdict.outcome !== 'refused') return `${input.name}: accepted`;
  if (verdict.refusal.code !== 'NOT_A_VIDEO') return `${input.name}: ${verdict.refusal.code} (${verdict.refusal.message})`;
  if (inspection.probe !== undefined) return `${input.name}: ffprobe found streams`;
  return holdsCanary(JSON.stringify(inspection), canary) ? `${input.name}: canary in the inspection` : undefined;
}

test('every crafted upload is refused as NOT_A_VIDEO without reading what it names', async () => {
  assert.equal(inputs.length, 9);
  const problems: string[] = [];
  for (const input of inputs) problems.push(...[await problemOf(input)].filter((problem) => problem !== undefined));
  assert.deepEqual(problems, []);
  assert.deepEqual(canary.requests, []);
});

test('a concat: URL is refused by the protocol list before anything is opened', async () => {
  const url = `concat:${canary.file}|${canary.file}`;
  await assert.rejects(runFfprobe(probeArgs(url)), (error: Error & { details?: { stderr?: unknown } }) => {
    assert.match(String(error.details?.stderr), /Protocol 'concat' not on whitelist/);
    return true;
  });
});
