/**
 * Playback links and session tokens as attackers bend them: changed at every character, cut,
 * padded, spelled non-canonically, expired, replayed, of another video, of the other kind, signed
 * with a wrong secret or an unknown key id. Each is a 403 with its TOKEN_* code, never a 200 or a
 * 5xx, and none uses up or stores anything (the genuine link still plays afterwards, once).
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { signPlaybackToken, signSessionToken } from '@kiln/shared';
import { checkFuzz } from '@kiln/shared/testing';
import { TEST_SECRET, TEST_SIGNING_KEY } from '../testing/harness.js';
import { genuineParams } from '../testing/route-requests.js';
import { startSecurityHarness, type SecurityHarness } from '../testing/security-harness.js';
import { everyCharacterReplaced, multiCharacterMutation, nonCanonical, paddings, truncations, type Mutation } from '../testing/token-mutations.js';

let h: SecurityHarness;
before(async () => {
  h = await startSecurityHarness();
});
after(async () => h.stop());
beforeEach(async () => h.reset());

const FORGED = ['TOKEN_MALFORMED', 'TOKEN_TAMPERED'];
const HOUR = 3_600_000;

/** The three places a token rides: the link in the master URL, the session in variant and segment URLs. */
const masterUrl = (link: string) => `/play/${link}/master.m3u8`;
function sessionUrls(session: string, video = 'v1'): string[] {
  const { rendition } = genuineParams(h.clock.now);
  return [`/play/${video}/${session}/${rendition}/index.m3u8`, `/play/${video}/${session}/${rendition}/0.ts`];
}

async function issueLink(): Promise<string> {
  const response = await h.app.inject({ method: 'POST', url: '/v1/videos/v1/playback', payload: { profile: 'mobile' }, headers: h.as.playback });
  assert.equal(response.statusCode, 201, response.body);
  return new URL(response.json<{ url: string }>().url).pathname.split('/')[2] ?? '';
}

/** A session as a player gets it: from the master playlist a genuine link opens (using that link up). */
async function issueSession(): Promise<string> {
  const master = await h.app.inject({ method: 'GET', url: masterUrl(await issueLink()) });
  assert.equal(master.statusCode, 200, master.body);
  const variant = /^\.\.\/v1\/([^/]+)\//m.exec(master.body);
  assert.ok(variant?.[1], master.body);
  return variant[1];
}

/** The refusal code of `url` when it is a 403, else its status and body. */
async function refusal(url: string): Promise<string> {
  const response = await h.app.inject({ method: 'GET', url });
  if (response.statusCode !== 403) return `${response.statusCode} ${response.json<{ code?: string }>().code ?? response.body.slice(0, 120)}`;
  return response.json<{ code: string }>().code;
}

function isValidPath(url: string): boolean {
  try {
    decodeURIComponent(url);
    return true;
  } catch {
    return false;
  }
}

async function assertRefused(urls: readonly string[], expected: readonly string[], label: string): Promise<number> {
  for (const url of urls) {
    const code = await refusal(url);
    assert.ok(expected.includes(code), `${label} at ${url.slice(0, 40)}…: ${code}, expected ${expected.join(' or ')}`);
  }
  return urls.length;
}

async function assertMutationsRefused(mutations: readonly Mutation[], urlsOf: (token: string) => string[], expected: readonly string[]): Promise<number> {
  let cases = 0;
  for (const mutation of mutations) cases += await assertRefused(urlsOf(mutation.token), expected, mutation.label);
  return cases;
}

const damage = (token: string): Mutation[] => [...everyCharacterReplaced(token), ...truncations(token), ...paddings(token)];

test('a playback link damaged anywhere is refused, and the genuine one still plays once', async (t) => {
  const link = await issueLink();
  const stored = await h.snapshot();
  let cases = await assertMutationsRefused(damage(link), (token) => [masterUrl(token)], FORGED);
  cases += await assertMutationsRefused(nonCanonical(link), (token) => [masterUrl(token)], ['TOKEN_MALFORMED']);
  assert.deepEqual(await h.snapshot(), stored, 'no damaged link used anything up');
  assert.equal((await h.app.inject({ method: 'GET', url: masterUrl(link) })).statusCode, 200);
  assert.equal(await refusal(masterUrl(link)), 'TOKEN_USED', 'replayed');
  t.diagnostic(`${cases + 2} cases tried on a ${link.length}-character link`);
});

test('a session token damaged anywhere is refused on variant and segment URLs', async (t) => {
  const session = await issueSession();
  const stored = await h.snapshot();
  let cases = await assertMutationsRefused(damage(session), (token) => sessionUrls(token), FORGED);
  cases += await assertMutationsRefused(nonCanonical(session), (token) => sessionUrls(token), ['TOKEN_MALFORMED']);
  assert.deepEqual(await h.snapshot(), stored, 'no damaged session scheduled or stored anything');
  t.diagnostic(`${cases} cases tried on a ${session.length}-character session token`);
});

test('expired, replayed, another video\'s and the other kind\'s tokens are refused with their codes', async (t) => {
  const link = await issueLink();
  const session = await issueSession();
  const otherVideo = signSessionToken(TEST_SECRET, { video: 'v2', profile: 'mobile' }, { expiresAt: new Date(h.clock.now + HOUR) });
  let cases = 0;
  cases += await assertRefused(sessionUrls(otherVideo), ['TOKEN_WRONG_VIDEO'], 'a session of v2 on v1');
  cases += await assertRefused(sessionUrls(session, 'v2'), ['TOKEN_WRONG_VIDEO'], 'a session of v1 on v2');
  cases += await assertRefused([masterUrl(session)], ['TOKEN_WRONG_KIND'], 'a session where a link goes');
  cases += await assertRefused(sessionUrls(link), ['TOKEN_WRONG_KIND'], 'a link where a session goes');
  h.clock.now += 601_000;
  cases += await assertRefused([masterUrl(link)], ['TOKEN_EXPIRED'], 'a link past its lifetime');
  h.clock.now += 6 * HOUR;
  cases += await assertRefused(sessionUrls(session), ['TOKEN_EXPIRED'], 'a session past its lifetime');
  t.diagnostic(`${cases} cases tried`);
});

test('tokens signed with a wrong secret or an unknown key id are refused, and a signing key makes no sessions', async (t) => {
  const expiresAt = new Date(h.clock.now + HOUR);
  const claims = { video: 'v1', profile: 'mobile' as const };
  const wrongSecret = 'another secret that is long enough for HMAC-SHA256';
  const links = [
    signPlaybackToken(wrongSecret, { ...claims, reusable: true }, { expiresAt }),
    signPlaybackToken({ id: TEST_SIGNING_KEY.id, secret: wrongSecret }, { ...claims, reusable: true }, { expiresAt }),
    signPlaybackToken({ id: 'unknown-app', secret: TEST_SIGNING_KEY.secret }, { ...claims, reusable: true }, { expiresAt }),
  ];
  const sessions = [
    signSessionToken(wrongSecret, claims, { expiresAt }),
    signSessionToken({ id: 'unknown-app', secret: TEST_SECRET }, claims, { expiresAt }),
    signSessionToken(TEST_SIGNING_KEY, claims, { expiresAt }),
  ];
  let cases = 0;
  for (const link of links) cases += await assertRefused([masterUrl(link)], ['TOKEN_TAMPERED'], 'a forged link');
  for (const session of sessions) cases += await assertRefused(sessionUrls(session), ['TOKEN_TAMPERED'], 'a forged session');
  const genuine = signPlaybackToken(TEST_SIGNING_KEY, { ...claims, reusable: false }, { expiresAt });
  assert.equal((await h.app.inject({ method: 'GET', url: masterUrl(genuine) })).statusCode, 200, 'the signing key itself makes links');
  t.diagnostic(`${cases + 1} cases tried`);
});

test('property: a link or session changed in several places is refused', async (t) => {
  const link = await issueLink();
  const session = await issueSession();
  const stored = await h.snapshot();
  const damaged = fc.oneof(
    multiCharacterMutation(link).filter((token) => token !== link).map((token) => [masterUrl(token)]),
    multiCharacterMutation(session).filter((token) => token !== session).map((token) => sessionUrls(token)),
  );
  await checkFuzz(t, fc.asyncProperty(damaged, async (urls) => {
    // A change that breaks the URL's own escapes (`%2F` cut to `%AF`) is refused before any token is read.
    const expected = urls.every(isValidPath) ? FORGED : ['400 BAD_REQUEST'];
    await assertRefused(urls, expected, 'a token changed in several places');
  }), { runs: 300, timeLimitMs: 10_000 });
  assert.deepEqual(await h.snapshot(), stored);
});
