import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '@kiln/shared';
import { killGroup } from './state.js';

export interface ChildSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Infrastructure (Redis) stops after every Kiln process has drained into it. */
  readonly stopLast?: boolean;
}

export interface SupervisedChild {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts and stops Kiln's processes as one unit. Each child runs in its own process group (so
 * Ctrl-C reaches only us and we stop them in order) and holds a pipe to us on stdin, whose end
 * tells it to exit should we die without stopping it.
 */
export class Supervisor {
  private readonly children: { spec: ChildSpec; process: ChildProcess; child: SupervisedChild }[] = [];
  private stopping = false;

  constructor(private readonly log: Logger) {}

  start(spec: ChildSpec): SupervisedChild {
    const child = spawn(spec.command, spec.args, {
      detached: true,
      env: { ...process.env, ...spec.env },
      stdio: ['pipe', 'inherit', 'inherit'],
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.name}`);
    const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
    const supervised = { name: spec.name, pid: child.pid, exited };
    this.children.push({ spec, process: child, child: supervised });
    void exited.then(({ code, signal }) => {
      if (!this.stopping) this.log.error({ child: spec.name, code, signal }, 'a Kiln process exited on its own');
    });
    return supervised;
  }

  list(): SupervisedChild[] {
    return this.children.map((entry) => entry.child);
  }

  /** Resolves with the first child that exits while we are not stopping. */
  firstUnexpectedExit(): Promise<SupervisedChild> {
    return Promise.race(this.children.map((entry) => entry.child.exited.then(() => entry.child)));
  }

  /** SIGTERM to Kiln's processes together, then to infrastructure; SIGKILL after the grace period. */
  async stopAll(graceMs: number): Promise<void> {
    this.stopping = true;
    const first = this.children.filter((entry) => !entry.spec.stopLast);
    const last = this.children.filter((entry) => entry.spec.stopLast);
    await Promise.all(first.map((entry) => this.stopOne(entry, graceMs)));
    await Promise.all(last.map((entry) => this.stopOne(entry, graceMs)));
  }

  private async stopOne(entry: (typeof this.children)[number], graceMs: number): Promise<void> {
    killGroup(entry.child.pid, 'SIGTERM');
    const late = await Promise.race([entry.child.exited.then(() => false), delay(graceMs, true)]);
    if (late) this.log.warn({ child: entry.spec.name, graceMs }, 'did not stop in time; killing it');
    // Whatever is left in its process group (an encoder it started) goes with it.
    killGroup(entry.child.pid, 'SIGKILL');
    entry.process.stdin?.destroy();
    await entry.child.exited;
  }
}
