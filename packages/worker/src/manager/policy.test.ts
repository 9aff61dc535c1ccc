import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIdle, LEFT_GRACE_MS, runsLeftBy, runToEvict, runToReplace, runToReuse, runUntil, throttleAction, type RunView } from './policy.js';

const run = (overrides: Partial<RunView>): RunView => ({
  id: 'a', from: 0, until: 15, lastClosed: 2, furthestRequested: 0, lastRequestAt: 1_000, paused: false, sessions: new Set(), ...overrides,
});

test('a request within reach of a run reuses it; one further is a seek', () => {
  const a = run({});
  assert.equal(runToReuse([a], 3, 3), a);
  assert.equal(runToReuse([a], 6, 3), a);
  assert.equal(runToReuse([a], 7, 3), undefined);
  assert.equal(runToReuse([run({ from: 10 })], 9, 3), undefined, 'a run never goes back');
  const b = run({ id: 'b', from: 5, lastClosed: 6 });
  assert.equal(runToReuse([a, b], 6, 3), b, 'the run closest to the segment wins');
});

test('a new run stops before the next segment that exists or that another run starts at, and after at most maxSegments', () => {
  assert.equal(runUntil(10, 15, () => false, [], 720), 15);
  assert.equal(runUntil(3, 15, (index) => index === 10, [], 720), 10);
  assert.equal(runUntil(3, 15, () => false, [0, 8], 720), 8);
  assert.equal(runUntil(3, 15, () => false, [], 4), 7);
});

test('a run pauses at runAhead segments past its player and resumes below', () => {
  assert.equal(throttleAction(run({ lastClosed: 2, furthestRequested: 0 }), 2), 'pause');
  assert.equal(throttleAction(run({ lastClosed: 1, furthestRequested: 0 }), 2), 'none');
  assert.equal(throttleAction(run({ lastClosed: 2, furthestRequested: 1, paused: true }), 2), 'resume');
  assert.equal(throttleAction(run({ lastClosed: 4, furthestRequested: 1, paused: true }), 2), 'none');
});

test('idle runs and the run a seek may replace', () => {
  assert.equal(isIdle(run({ lastRequestAt: 1_000 }), 2_000, 999), true);
  assert.equal(isIdle(run({ lastRequestAt: 1_000 }), 2_000, 1_000), false);
  assert.equal(isIdle(run({ lastRequestAt: 1_000 }), 2_000, 999, true), false, 'a client waits on it');
  assert.equal(isIdle(run({ lastRequestAt: 1_000, leftAt: 1_000 }), 1_000 + LEFT_GRACE_MS, 60_000), false, 'left, within the grace');
  assert.equal(isIdle(run({ lastRequestAt: 1_000, leftAt: 1_000 }), 1_001 + LEFT_GRACE_MS, 60_000), true, 'left, past the grace');
  const older = run({ id: 'old', lastRequestAt: 5 });
  assert.equal(runToReplace([run({ lastRequestAt: 9 }), older]), older);
  assert.equal(runToReplace([]), undefined);
});

test('at capacity, the paused run asked least recently gives up its slot; a running one never does', () => {
  const pausedOld = run({ id: 'old', paused: true, lastRequestAt: 1 });
  const pausedNew = run({ id: 'new', paused: true, lastRequestAt: 5 });
  const running = run({ id: 'running', paused: false, lastRequestAt: 0 });
  assert.equal(runToEvict([pausedNew, running, pausedOld]), pausedOld);
  assert.equal(runToEvict([running]), undefined);
});

test('the runs a session switched away from are those only it asked for, not paused already', () => {
  const mine = run({ id: 'mine', sessions: new Set(['s1']) });
  const shared = run({ id: 'shared', sessions: new Set(['s1', 's2']) });
  const theirs = run({ id: 'theirs', sessions: new Set(['s2']) });
  const unasked = run({ id: 'unasked' });
  const paused = run({ id: 'paused', paused: true, sessions: new Set(['s1']) });
  assert.deepEqual(runsLeftBy([mine, shared, theirs, unasked, paused], 's1'), [mine]);
  assert.deepEqual(runsLeftBy([mine, shared], 's3'), []);
});
