import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `check` every 100 ms until it answers true; fails naming `what` after `attempts` tries (60 s by default). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, attempts = 600): Promise<void> {
  for (let i = 0; i < attempts; i += 1) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}
