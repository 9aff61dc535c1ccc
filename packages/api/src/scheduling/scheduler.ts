import type { Redis } from 'ioredis';
import type { RedisKeys } from '@kiln/shared';
import { evalScript } from './eval-script.js';
import { PICK_WORKER_SCRIPT } from './pick-worker.lua.js';

export type SchedulingDecision = 'sticky' | 'assigned' | 'switched' | 'none';

export interface WorkerChoice {
  readonly decision: Exclude<SchedulingDecision, 'none'>;
  readonly workerId: string;
  /** The worker's base URL from its load report. */
  readonly url: string;
  /** The slot reserved on a new pick, named by the session (released if the transcode cannot start); absent when sticky. */
  readonly reservation?: string;
}

export interface PickOptions {
  /** A worker that just failed this session: not picked again by this call. */
  readonly exclude?: string;
  /** How long the session keeps its worker without asking again. */
  readonly sessionTtlMs: number;
}

export interface Scheduler {
  /** The session's worker, or undefined when no live worker has a free slot. */
  pick(sessionId: string, options: PickOptions): Promise<WorkerChoice | undefined>;
  /** Gives back a reserved slot whose transcode did not start. */
  release(choice: WorkerChoice): Promise<void>;
}

export interface SchedulerOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  /** How long a reservation counts: long enough for the worker's next load report to show it. */
  readonly reservationTtlMs: number;
  readonly role?: 'ondemand' | 'pretranscode';
  readonly onDecision?: (decision: SchedulingDecision) => void;
}

function isDecision(value: unknown): value is SchedulingDecision {
  return value === 'sticky' || value === 'assigned' || value === 'switched' || value === 'none';
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { redis, keys } = options;
  const pick = async (sessionId: string, pickOptions: PickOptions): Promise<WorkerChoice | undefined> => {
    const ids = await redis.zrange(keys.workers(), '0', '-1');
    const workerKeys = ids.flatMap((id) => [keys.workerLoad(id), keys.workerReservations(id)]);
    const args = [options.reservationTtlMs, Math.max(1, Math.round(pickOptions.sessionTtlMs)), sessionId, pickOptions.exclude ?? '', options.role ?? 'ondemand'];
    const reply = await evalScript(redis, PICK_WORKER_SCRIPT, [keys.sessionWorker(sessionId), ...workerKeys], [...args.map(String), ...ids]);
    const [decision, workerId, url, reservation] = Array.isArray(reply) ? reply.map(String) : [];
    if (!isDecision(decision)) throw new TypeError(`unexpected scheduler reply ${JSON.stringify(reply)}`);
    options.onDecision?.(decision);
    if (decision === 'none' || workerId === undefined || url === undefined) return undefined;
    return reservation ? { decision, workerId, url, reservation } : { decision, workerId, url };
  };
  const release = async (choice: WorkerChoice): Promise<void> => {
    if (choice.reservation !== undefined) await redis.zrem(keys.workerReservations(choice.workerId), choice.reservation);
  };
  return { pick, release };
}
