/**
 * What attackers put in a URL path parameter, as raw path text (percent-encoding is theirs to
 * choose): traversal in its spellings, NUL, backslashes, odd Unicode, malformed escapes, a 10 kB
 * string, nothing at all. Fixed values for the regression table, an arbitrary for the property.
 */
import fc from 'fast-check';

export const HOSTILE_PATH_VALUES: readonly string[] = [
  '..', '../', '../../canary', '../../../etc/passwd', '..%2f..%2fcanary', '..%2F', '%2e%2e', '%2e%2e%2fcanary', '.%2e/.%2e/canary',
  '%2F', '%2Fetc%2Fpasswd', '..%5c..%5ccanary', '..\\..\\canary', '%5C', '%00', 'v1%00', '0.ts%00.m3u8', '%00..%2f',
  '%C3%A9', '%E2%80%AE', '%F0%9F%92%A9', '%EF%BC%8E%EF%BC%8E%EF%BC%8F', '%C0%AE%C0%AE%C0%AF', '%ED%A0%80', '%FF%FE',
  '%', '%zz', '%%32%65', '%252e%252e%252f', '%20', '%0d%0aSet-Cookie:%20x=1', '*', ':', 'v1:video', '-1.ts', '1e3.ts', '00.ts',
  '.', '.kiln-tmp', 'CON', 'x'.repeat(10_240), '%41'.repeat(2_000), '',
  `${'../'.repeat(12)}etc/passwd`, `${'..%2f'.repeat(12)}etc%2fpasswd`, `${'%2e%2e%2f'.repeat(12)}etc%2fpasswd`,
];

/** Fragments the property strings together: traversal pieces, escapes, and ordinary characters. */
const FRAGMENTS = ['..', '/', '%2f', '%2e', '%00', '\\', '%5c', '%', '%c0%ae', '.ts', 'v1', '~', ';', '?x=1', '#', '%0a'];

/** A raw path parameter: fixed hostile values, strings of fragments, and any code points percent-encoded. */
export function hostilePathValue(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...HOSTILE_PATH_VALUES),
    fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 12 }).map((parts) => parts.join('')),
    fc.string({ unit: 'binary', maxLength: 64 }).map((text) => encodeURIComponent(text)),
    // Printable ASCII raw (a client may send `\`, `%`, `..` unescaped); the rest escaped, as HTTP requires.
    fc.string({ unit: 'binary-ascii', maxLength: 64 }).map((text) => text.replace(/[^\x21-\x7e]|[#?]/g, (ch) => encodeURIComponent(ch))),
  );
}

/** Spellings of `bytes` an attacker may hope a response leaks: raw, hex, base64, base64url. */
export function leakForms(bytes: Buffer): Buffer[] {
  return [bytes, Buffer.from(bytes.toString('hex')), Buffer.from(bytes.toString('base64')), Buffer.from(bytes.toString('base64url'))];
}

/** A line every Debian `/etc/passwd` holds: a response with it read a system file. */
export const PASSWD_LINE = Buffer.from('root:x:0:0:');

export function leaks(body: Buffer, secrets: readonly Buffer[]): boolean {
  return secrets.some((secret) => body.includes(secret));
}
