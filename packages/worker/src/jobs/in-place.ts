/**
 * The upload read in place, before any download. An MP4/MOV that the fast-start view reads and
 * that needs no normalizing is byte for byte the source it becomes (`sources/{id}.mp4` is then a
 * copy of `uploads/{id}`), so its opening can be made from the upload object while the rest of
 * ingest downloads and checks it. This look decides only whether to start early: the verdict
 * still comes from the full inspection of the downloaded file.
 */
import {
  ffprobe, isKilnError, LOOPBACK_PROTOCOLS, MP4_DEMUXERS, sourceObjectKey, uploadObjectKey, type ObjectStorage, type ProbeResult,
} from '@kiln/shared';
import { classify, type IngestLimits, type IngestPlan } from '../ingest/index.js';
import { openFastStartView, serveView, SourceErrors, storageRangeReader, type FastStartView, type RangeReader } from '../source/index.js';
import type { TranscodeFacts } from '../transcode/transcode-facts.js';
import { fastStartSource } from '../transcode/fast-start-source.js';
import type { SourceOpener } from '../transcode/source.js';
import { cachedObject } from './block-cache.js';
import { factsFromPlan } from './ingest-facts.js';

/** A bound on the look: a probe that hangs must not hold the job (the full inspection then decides). */
const LOOK_TIMEOUT_MS = 20_000;

export interface InPlaceSource {
  readonly plan: IngestPlan;
  readonly facts: TranscodeFacts;
  /** Opens the upload as the fast-start source workers will read once it is `sources/{id}.mp4`. */
  readonly opener: SourceOpener;
}

export type InPlaceLook = InPlaceSource | { readonly reason: string };

export async function lookInPlace(videoId: string, storage: ObjectStorage, limits: IngestLimits, signal?: AbortSignal): Promise<InPlaceLook> {
  // The look reads through the same cache as the runs: its reads are their first ones.
  const inPlace = uploadAsSource(storage, videoId);
  const probed = await probeInPlace(sourceObjectKey(videoId), inPlace, signal);
  if ('reason' in probed) return probed;
  const verdict = classify({ probe: probed.probe, fileSize: probed.size, limits });
  if (verdict.outcome === 'refused') return { reason: `the probe alone refuses it (${verdict.refusal.code})` };
  if (verdict.plan.normalize.kind !== 'none') return { reason: `it needs a ${verdict.plan.normalize.kind}` };
  try {
    return { plan: verdict.plan, facts: factsFromPlan(probed.probe, verdict.plan, 'same-file'), opener: fastStartSource(inPlace) };
  } catch (error) {
    return { reason: `no facts in place: ${isKilnError(error) ? error.code : String(error)}` };
  }
}

/** ffprobe over the upload's fast-start view (the very input a transcode run reads). */
async function probeInPlace(key: string, storage: ObjectStorage, signal?: AbortSignal): Promise<{ probe: ProbeResult; size: number } | { reason: string }> {
  const opened = await openInPlace(key, storage);
  if ('reason' in opened) return opened;
  const { reader, view } = opened;
  // A fragmented MP4 is remuxed: nothing made from the upload would be kept.
  if (view.fragmented || (await declaresFragments(view))) return { reason: 'a fragmented MP4' };
  const endpoint = await serveView(view.plan, reader);
  const bound = AbortSignal.timeout(LOOK_TIMEOUT_MS);
  try {
    const probe = await ffprobe(endpoint.url, { protocols: LOOPBACK_PROTOCOLS, formats: MP4_DEMUXERS, signal: signal === undefined ? bound : AbortSignal.any([signal, bound]) });
    return { probe, size: reader.size };
  } catch (error) {
    if (signal?.aborted === true) throw error;
    return { reason: `ffprobe cannot read it in place: ${isKilnError(error) ? error.code : String(error)}` };
  } finally {
    await endpoint.close();
  }
}

async function openInPlace(key: string, storage: ObjectStorage): Promise<{ reader: RangeReader; view: FastStartView } | { reason: string }> {
  try {
    const reader = await storageRangeReader(storage, key);
    return { reader, view: await openFastStartView(reader) };
  } catch (error) {
    if (SourceErrors.is(error)) return { reason: `the fast-start view cannot read it (${error.code})` };
    throw error;
  }
}

/**
 * Whether the moov has an mvex box, which announces movie fragments (ISO/IEC 14496-12, 8.8.1):
 * the view's own scan stops at a leading moov, before any moof.
 */
async function declaresFragments(view: FastStartView): Promise<boolean> {
  const moov = await view.read(view.moovEndInView - view.viewMoovSize, view.viewMoovSize);
  for (let offset = moov.readUInt32BE(0) === 1 ? 16 : 8; offset + 8 <= moov.length; ) {
    if (moov.toString('latin1', offset + 4, offset + 8) === 'mvex') return true;
    const size32 = moov.readUInt32BE(offset);
    const size = size32 === 1 && offset + 16 <= moov.length ? Number(moov.readBigUInt64BE(offset + 8)) : size32;
    if (size < 8) return false;
    offset += size;
  }
  return false;
}

/**
 * The storage as a transcode sees it, with the video's source key reading its upload object
 * (every read, ranged or streamed, through a block cache shared by the opening's runs): the same fast-start path, and the same
 * bytes, as once the source is in place. Everything else goes through untouched.
 */
function uploadAsSource(storage: ObjectStorage, videoId: string): ObjectStorage {
  const source = sourceObjectKey(videoId);
  const upload = cachedObject(storage, uploadObjectKey(videoId));
  return {
    put: (key, body, options) => storage.put(key, body, options),
    getRange: (key, range) => (key === source ? upload.getRange(range) : storage.getRange(key, range)),
    getBytes: (key, range) => (key === source ? upload.getBytes(range) : storage.getBytes(key, range)),
    head: (key) => (key === source ? upload.head() : storage.head(key)),
    list: (prefix) => storage.list(prefix),
    deleteMany: (keys) => storage.deleteMany(keys),
    copy: (from, to) => storage.copy(from === source ? uploadObjectKey(videoId) : from, to),
  };
}
