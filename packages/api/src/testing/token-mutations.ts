/**
 * Ways to damage a token (`base64url(payload).base64url(mac)`) as an attacker would: each
 * character replaced, cut short, padded, spelled non-canonically, or changed in several places.
 * All pure; the suite sends each where the genuine token works and expects a TOKEN_* refusal.
 */
import fc from 'fast-check';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export interface Mutation {
  readonly label: string;
  readonly token: string;
}

const replaceAt = (token: string, index: number, character: string) => token.slice(0, index) + character + token.slice(index + 1);

/** Each position twice: the next base64url character (the MAC must notice), and one outside the alphabet. */
export function everyCharacterReplaced(token: string): Mutation[] {
  return [...token].flatMap((character, index) => {
    const next = character === '.' ? 'A' : (ALPHABET[(ALPHABET.indexOf(character) + 1) % ALPHABET.length] ?? 'A');
    return [
      { label: `position ${index} ${character}→${next}`, token: replaceAt(token, index, next) },
      { label: `position ${index} ${character}→~`, token: replaceAt(token, index, '~') },
    ];
  });
}

/** Every proper, non-empty prefix. */
export function truncations(token: string): Mutation[] {
  return Array.from({ length: token.length - 1 }, (_unused, index) => ({ label: `first ${index + 1} characters`, token: token.slice(0, index + 1) }));
}

/** Padding and extra parts: what a lenient base64 decoder or a naive split would accept. */
export function paddings(token: string): Mutation[] {
  const [payload = '', mac = ''] = token.split('.');
  return [
    { label: 'padded with =', token: `${token}=` },
    { label: 'padded with ==', token: `${token}==` },
    { label: 'payload padded', token: `${payload}=.${mac}` },
    { label: 'a third part', token: `${token}.${mac}` },
    { label: 'a leading dot', token: `.${token}` },
    { label: 'a space inside (%20)', token: `${payload}%20.${mac}` },
  ];
}

/**
 * The same bytes in other spellings: the last character of each part with its unused low bits set
 * (Node's decoder ignores them), and the plain-base64 alphabet, escaped as a URL must carry it.
 */
export function nonCanonical(token: string): Mutation[] {
  const parts = token.split('.');
  const spareBits = parts.map((part, which) => {
    const last = ALPHABET.indexOf(part.at(-1) ?? 'A');
    // A part whose length is not a multiple of 4 ends in a character with 2 or 4 unused low bits.
    const spare = part.length % 4 === 0 ? 0 : 1;
    const changed = parts.map((other, index) => (index === which ? other.slice(0, -1) + (ALPHABET[last ^ spare] ?? 'A') : other)).join('.');
    return { label: `part ${which + 1} with spare bits set`, token: changed };
  }).filter((mutation) => mutation.token !== token);
  const plainAlphabet = token.replace(/-/g, '%2B').replace(/_/g, '%2F');
  return plainAlphabet === token ? spareBits : [...spareBits, { label: 'plain base64 alphabet', token: plainAlphabet }];
}

/** One to eight characters replaced anywhere, by any base64url character or a few that are not. */
export function multiCharacterMutation(token: string): fc.Arbitrary<string> {
  const change = fc.tuple(fc.nat({ max: token.length - 1 }), fc.constantFrom(...ALPHABET, '.', '~', '%2F', '%00'));
  return fc.array(change, { minLength: 1, maxLength: 8 }).map((changes) => changes.reduce((text, [index, character]) => replaceAt(text, Math.min(index, text.length - 1), character), token));
}
