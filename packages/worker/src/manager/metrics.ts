/** The worker's counters, and their Prometheus text exposition (format 0.0.4), written by hand: a dozen lines need no library. */
export interface WorkerCounters {
  runsStarted: number;
  runsFailed: number;
  /** ffmpeg processes runs spawned: one per run, two when an overdue split is made again. */
  ffmpegStarted: number;
  segmentsMade: number;
  segmentsServedMemory: number;
  segmentsServedStorage: number;
  segmentTimeouts: number;
  refusedFull: number;
  uploadsFailed: number;
  /** Runs paused because the only session asking for them switched to another rendition. */
  runsLeft: number;
}

export function newCounters(): WorkerCounters {
  return { runsStarted: 0, runsFailed: 0, ffmpegStarted: 0, segmentsMade: 0, segmentsServedMemory: 0, segmentsServedStorage: 0, segmentTimeouts: 0, refusedFull: 0, uploadsFailed: 0, runsLeft: 0 };
}

export interface Gauges {
  readonly active: number;
  readonly paused: number;
  readonly capacity: number;
  readonly speed: number;
  readonly memoryBytes: number;
  readonly draining: boolean;
}

function metric(name: string, type: 'counter' | 'gauge', help: string, samples: readonly [string, number][]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  return lines.join('\n');
}

export function renderMetrics(counters: WorkerCounters, gauges: Gauges): string {
  return [
    metric('kiln_worker_transcodes_active', 'gauge', 'Transcode runs alive (running or paused).', [['', gauges.active]]),
    metric('kiln_worker_transcodes_paused', 'gauge', 'Transcode runs paused: too far ahead of their player, or left by it for another rendition.', [['', gauges.paused]]),
    metric('kiln_worker_capacity', 'gauge', 'Hard limit of concurrent transcode runs.', [['', gauges.capacity]]),
    metric('kiln_worker_draining', 'gauge', '1 while the worker shuts down.', [['', gauges.draining ? 1 : 0]]),
    metric('kiln_worker_encode_speed', 'gauge', 'Recent encode speed, times realtime.', [['', Number(gauges.speed.toFixed(3))]]),
    metric('kiln_worker_memory_store_bytes', 'gauge', 'Bytes of segments held in memory.', [['', gauges.memoryBytes]]),
    metric('kiln_worker_transcodes_started_total', 'counter', 'Transcode runs started.', [['', counters.runsStarted]]),
    metric('kiln_worker_transcodes_failed_total', 'counter', 'Transcode runs that failed.', [['', counters.runsFailed]]),
    metric('kiln_worker_ffmpeg_started_total', 'counter', 'ffmpeg processes transcode runs started (one per run).', [['', counters.ffmpegStarted]]),
    metric('kiln_worker_transcodes_left_total', 'counter', 'Transcode runs paused because their only session switched to another rendition.', [['', counters.runsLeft]]),
    metric('kiln_worker_transcodes_refused_total', 'counter', 'Transcodes refused because the worker was full.', [['', counters.refusedFull]]),
    metric('kiln_worker_segments_made_total', 'counter', 'Segments closed and checked against the plan.', [['', counters.segmentsMade]]),
    metric('kiln_worker_segments_served_total', 'counter', 'Segments answered, by where they came from.', [
      ['{source="memory"}', counters.segmentsServedMemory],
      ['{source="storage"}', counters.segmentsServedStorage],
    ]),
    metric('kiln_worker_segment_timeouts_total', 'counter', 'Segment requests answered 504.', [['', counters.segmentTimeouts]]),
    metric('kiln_worker_uploads_failed_total', 'counter', 'Segment uploads to object storage that failed.', [['', counters.uploadsFailed]]),
  ].join('\n') + '\n';
}
