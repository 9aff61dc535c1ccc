/**
 * The worker's transcodes: which run makes which segment, capacity, seeks, throttling and idle
 * runs, the in-memory store, uploads to the cache. HTTP routes call `segment` and `ensure`.
 */
import type { Logger, X264Preset } from '@kiln/shared';
import { segmentAt } from '@kiln/shared';
import { WorkerErrors } from '../errors.js';
import type { LoadSnapshot } from '../load/report.js';
import { MemoryStore, segmentKey } from '../segments/memory-store.js';
import type { SegmentCache } from '../segments/cache.js';
import type { TranscodeFacts } from '../transcode/transcode-facts.js';
import type { FactsCache } from '../transcode/facts-cache.js';
import type { ProcessRegistry } from '../transcode/processes.js';
import { findRendition, type Rendition } from '../transcode/rendition.js';
import { TranscodeRun, type ClosedSegment } from '../transcode/run.js';
import type { SourceOpener } from '../transcode/source.js';
import { newCounters, renderMetrics } from './metrics.js';
import { pendingIndex, summary, view, type RunSummary } from './run-views.js';
import { isIdle, runsLeftBy, runToEvict, runToReplace, runToReuse, runUntil, throttleAction, type PolicyLimits } from './policy.js';
import { SpeedMeter } from './speed.js';

export interface ManagerOptions extends PolicyLimits {
  readonly capacity: number;
  /** How long a request waits for a segment being made before 504. */
  readonly segmentWaitMs: number;
  readonly memoryBytes: number;
  /** Longest run, in segments (the keyframe list is one argument); a longer encode restarts there. */
  readonly maxRunSegments: number;
  readonly threads: number;
  readonly preset?: X264Preset;
  /** A run takes its first segment from a low-latency output of its own (split-args.ts); default true. */
  readonly firstSegmentAlone?: boolean;
  readonly opener: SourceOpener;
  readonly facts: FactsCache;
  readonly cache: SegmentCache;
  readonly processes: ProcessRegistry;
  readonly log: Logger;
}

export interface EnsureResult {
  readonly status: 'cached' | 'running' | 'started';
  readonly run?: RunSummary;
}

export interface ServedSegment {
  readonly bytes: Buffer;
  readonly source: 'memory' | 'storage';
  readonly runId?: string;
}

export class TranscodeManager {
  readonly store: MemoryStore;
  readonly counters = newCounters();
  private readonly runs = new Set<TranscodeRun>();
  private readonly ended: TranscodeRun[] = [];
  private readonly cachedSets = new Map<string, Set<number>>();
  private readonly uploads = new Set<Promise<void>>();
  private readonly speedMeter = new SpeedMeter();
  private readonly sweeper: NodeJS.Timeout;
  private draining = false;

  constructor(private readonly options: ManagerOptions) {
    this.store = new MemoryStore(options.memoryBytes);
    this.sweeper = setInterval(() => this.sweep(), Math.max(50, Math.min(1_000, options.idleMs / 4)));
    this.sweeper.unref();
  }

  /** `active`: runs that are encoding. A paused run gives its slot to new work (`runToEvict`), so it is no load. */
  snapshot = (): LoadSnapshot => ({
    active: this.alive().filter((run) => run.state !== 'paused').length, capacity: this.options.capacity, draining: this.draining, speed: this.speedMeter.speed(),
  });

  metrics(): string {
    const alive = this.alive();
    return renderMetrics(this.counters, {
      active: alive.length, paused: alive.filter((run) => run.state === 'paused').length, capacity: this.options.capacity,
      speed: this.speedMeter.speed(), memoryBytes: this.store.bytes, draining: this.draining,
    });
  }

  listRuns(): RunSummary[] {
    return [...this.runs, ...this.ended].map(summary);
  }

  /** A video's rendition and its plan (probing the source once per video). */
  async rendition(videoId: string, renditionId: string): Promise<Rendition> {
    return findRendition(await this.options.facts.get(videoId), renditionId);
  }

  /**
   * Makes sure segment `index` is cached or on its way; starts a run when none will reach it soon.
   * `session` (the playback session asking) lets runs of renditions it has left give way.
   */
  async ensure(videoId: string, renditionId: string, index: number, session?: string): Promise<EnsureResult> {
    const { facts, rendition } = await this.resolve(videoId, renditionId, index);
    this.noteRequest(videoId, renditionId, index, session);
    if (this.store.has(segmentKey(videoId, renditionId, index)) || (await this.cachedSet(videoId, renditionId)).has(index)) {
      return { status: 'cached' };
    }
    const reusable = runToReuse(this.runsOf(videoId, renditionId).map(view), index, this.options.seekDistance);
    const existing = this.runsOf(videoId, renditionId).find((run) => run.id === reusable?.id);
    if (existing !== undefined) return { status: 'running', run: summary(existing) };
    return { status: 'started', run: summary(this.startRun(videoId, facts, rendition, index, session)) };
  }

  /** The segment's bytes: from memory, else the cache, else made (waiting a bounded time). */
  async segment(videoId: string, renditionId: string, index: number, session?: string): Promise<ServedSegment> {
    await this.resolve(videoId, renditionId, index);
    const key = segmentKey(videoId, renditionId, index);
    this.noteRequest(videoId, renditionId, index, session);
    const inMemory = this.store.get(key);
    if (inMemory !== undefined) return this.served({ bytes: inMemory.bytes, source: 'memory', runId: inMemory.runId });
    const cached = await this.options.cache.read(videoId, renditionId, index);
    if (cached !== undefined) return this.served({ bytes: cached, source: 'storage' });
    // Not in the cache (any more: retention or a deleted video removed it), so our memo of what is cached must not say it is.
    this.cachedSets.get(`${videoId}/${renditionId}`)?.delete(index);
    await this.ensure(videoId, renditionId, index, session);
    const made = await this.store.waitFor(key, this.options.segmentWaitMs);
    if (made === undefined) {
      this.counters.segmentTimeouts += 1;
      throw WorkerErrors.create('SEGMENT_TIMEOUT', `segment ${index} of ${videoId}/${renditionId} was not ready within ${this.options.segmentWaitMs} ms`);
    }
    // Its client waited all along: the idle clock starts now, not when it asked.
    this.noteRequest(videoId, renditionId, index);
    return this.served({ bytes: made.bytes, source: 'memory', runId: made.runId });
  }

  /** Stops taking work, stops every run, waits for uploads in flight. */
  async drain(): Promise<void> {
    this.draining = true;
    clearInterval(this.sweeper);
    const runs = [...this.runs];
    for (const run of runs) run.stop('draining');
    await Promise.all(runs.map((run) => run.done));
    await Promise.allSettled([...this.uploads]);
    await this.options.processes.settle();
  }

  private served(segment: ServedSegment): ServedSegment {
    if (segment.source === 'memory') this.counters.segmentsServedMemory += 1;
    else this.counters.segmentsServedStorage += 1;
    return segment;
  }

  private alive(): TranscodeRun[] {
    return [...this.runs].filter((run) => run.alive);
  }

  private runsOf(videoId: string, renditionId: string): TranscodeRun[] {
    return this.alive().filter((run) => run.target.videoId === videoId && run.target.rendition.id === renditionId);
  }

  private async resolve(videoId: string, renditionId: string, index: number): Promise<{ facts: TranscodeFacts; rendition: Rendition }> {
    const facts = await this.options.facts.get(videoId);
    const rendition = findRendition(facts, renditionId);
    if (!Number.isSafeInteger(index) || index < 0 || index >= rendition.plan.segments.length) {
      throw WorkerErrors.create('SEGMENT_OUT_OF_RANGE', `${renditionId} of ${videoId} has segments 0…${rendition.plan.segments.length - 1}, not ${index}`);
    }
    return { facts, rendition };
  }

  private async cachedSet(videoId: string, renditionId: string): Promise<Set<number>> {
    const name = `${videoId}/${renditionId}`;
    let set = this.cachedSets.get(name);
    if (set === undefined) {
      set = await this.options.cache.cachedIndexes(videoId, renditionId);
      this.cachedSets.set(name, set);
    }
    return set;
  }

  private noteRequest(videoId: string, renditionId: string, index: number, session?: string): void {
    if (session !== undefined) this.leaveOtherRenditions(videoId, renditionId, session);
    for (const run of this.runsOf(videoId, renditionId)) {
      // A request past a run's reach is a seek: it must not wake that run.
      if (!run.covers(index) || index > run.lastClosed + 1 + this.options.seekDistance) continue;
      if (session !== undefined) run.sessions.add(session);
      run.leftAt = undefined;
      run.lastRequestAt = Date.now();
      run.furthestRequested = Math.max(run.furthestRequested, index);
      this.throttle(run);
    }
  }

  /** Pauses the runs `session` has switched away from (`runsLeftBy`), unless a request waits on one. */
  private leaveOtherRenditions(videoId: string, renditionId: string, session: string): void {
    const others = this.alive().filter((run) => run.target.videoId === videoId && run.target.rendition.id !== renditionId);
    for (const left of runsLeftBy(others.map(view), session)) {
      const run = others.find((candidate) => candidate.id === left.id);
      if (run === undefined || this.store.isWaitedFor((key) => pendingIndex(run, key) !== undefined)) continue;
      run.pause();
      run.leftAt = Date.now();
      this.counters.runsLeft += 1;
      this.options.log.info({ run: run.id, videoId, rendition: run.target.rendition.id, now: renditionId }, 'transcode paused: its session switched rendition');
    }
  }

  private throttle(run: TranscodeRun): void {
    const action = throttleAction(view(run), this.options.runAhead);
    if (action === 'pause') run.pause();
    if (action === 'resume') run.resume();
  }

  private makeRoom(videoId: string, renditionId: string): void {
    if (this.draining) throw WorkerErrors.create('WORKER_DRAINING');
    const alive = this.alive();
    if (alive.length < this.options.capacity) return;
    const replaced = runToReplace(this.runsOf(videoId, renditionId).map(view));
    const evicted = replaced === undefined ? runToEvict(alive.map(view)) : undefined;
    const run = alive.find((candidate) => candidate.id === (replaced ?? evicted)?.id);
    if (run === undefined) {
      this.counters.refusedFull += 1;
      throw WorkerErrors.create('WORKER_FULL', `this worker runs ${this.options.capacity} transcodes already`);
    }
    run.stop(replaced === undefined ? 'evicted for new work' : 'replaced by a seek');
  }

  private startRun(videoId: string, facts: TranscodeFacts, rendition: Rendition, from: number, session?: string): TranscodeRun {
    this.makeRoom(videoId, rendition.id);
    const cached = this.cachedSets.get(`${videoId}/${rendition.id}`) ?? new Set<number>();
    const exists = (index: number) => cached.has(index) || this.store.has(segmentKey(videoId, rendition.id, index));
    const otherStarts = this.runsOf(videoId, rendition.id).map((run) => run.target.from);
    const until = runUntil(from, rendition.plan.segments.length, exists, otherStarts, this.options.maxRunSegments);
    const run = new TranscodeRun({ videoId, rendition, facts, from, until }, {
      opener: this.options.opener, log: this.options.log, threads: this.options.threads,
      ...(this.options.preset === undefined ? {} : { preset: this.options.preset }),
      onSegment: (source, segment) => this.onSegment(source, segment),
      exists,
      onSpawn: (pid) => {
        this.counters.ffmpegStarted += 1;
        this.options.processes.register(pid);
      },
      onExit: (pid) => this.options.processes.unregister(pid),
      // Every run here starts because a client asked for its first segment.
      firstSegmentAlone: this.options.firstSegmentAlone ?? true,
    });
    if (session !== undefined) run.sessions.add(session);
    this.runs.add(run);
    this.counters.runsStarted += 1;
    this.options.log.info({ run: run.id, videoId, rendition: rendition.id, from, until, start: segmentAt(rendition.plan, from).start }, 'transcode started');
    void run.done.then(() => this.onRunEnd(run));
    return run;
  }

  private onSegment(run: TranscodeRun, segment: ClosedSegment): void {
    const { videoId, rendition } = run.target;
    this.store.put(segmentKey(videoId, rendition.id, segment.index), { bytes: segment.bytes, runId: run.id });
    this.counters.segmentsMade += 1;
    this.speedMeter.add(segment.mediaSeconds, segment.wallMs);
    this.upload(videoId, rendition.id, segment);
    this.throttle(run);
  }

  private upload(videoId: string, renditionId: string, segment: ClosedSegment): void {
    const done = this.options.cache.store(videoId, renditionId, segment.index, segment.bytes).then(
      () => {
        this.cachedSets.get(`${videoId}/${renditionId}`)?.add(segment.index);
      },
      (error: unknown) => {
        this.counters.uploadsFailed += 1;
        this.options.log.warn({ err: error, videoId, renditionId, index: segment.index }, 'segment upload failed');
      },
    );
    this.uploads.add(done);
    void done.finally(() => this.uploads.delete(done));
  }

  private onRunEnd(run: TranscodeRun): void {
    this.runs.delete(run);
    this.ended.push(run);
    if (this.ended.length > 20) this.ended.shift();
    const { videoId, rendition } = run.target;
    this.options.log.info({ run: run.id, state: run.state, reason: run.endReason, lastClosed: run.lastClosed }, 'transcode ended');
    if (run.state === 'failed') this.counters.runsFailed += 1;
    if (run.state === 'finished') return;
    const error = run.error ?? WorkerErrors.create('TRANSCODE_STOPPED', `the transcode was stopped (${run.endReason ?? 'unknown'})`);
    this.store.failWaiters((key) => {
      const index = pendingIndex(run, key);
      return index !== undefined && !this.runsOf(videoId, rendition.id).some((other) => other.covers(index));
    }, error);
  }

  private sweep(): void {
    const now = Date.now();
    for (const run of this.alive()) {
      const waitedOn = this.store.isWaitedFor((key) => pendingIndex(run, key) !== undefined);
      if (isIdle(view(run), now, this.options.idleMs, waitedOn)) run.stop(run.leftAt === undefined ? 'idle' : 'left by its session');
    }
  }
}
