import bytes from 'bytes';
import ms from 'ms';
import { z } from 'zod';

/** Value parsers for environment variables: each takes text and returns a typed value in base units. */

export const text = () => z.string().trim().min(1, 'must not be empty');

export const oneOf = <const Values extends readonly [string, ...string[]]>(values: Values) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

export const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.string().trim().regex(/^-?\d+$/, 'must be a whole number').transform(Number).pipe(
    z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`),
  );

/** TCP port; 0 asks the OS for a free one. */
export const port = () => integer(0, 65_535);

export const flag = () =>
  z.string().trim().toLowerCase().pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }))
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** "250ms", "30s", "5m", "7d" (or a bare number of milliseconds) → milliseconds. */
export const duration = (min = 0) =>
  z.string().trim().transform((value, ctx) => {
    const parsed = /^\d+(\.\d+)?$/.test(value) ? Number(value) : ms(value as ms.StringValue);
    if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < min) {
      ctx.addIssue({ code: 'custom', message: `must be a duration of at least ${min} ms, like 500ms, 30s, 5m or 7d` });
      return z.NEVER;
    }
    return parsed;
  });

/** "512MB", "10GB" (binary multiples, as the `bytes` package reads them) or a bare number → bytes. */
export const byteSize = (min = 0) =>
  z.string().trim().transform((value, ctx) => {
    const parsed = bytes.parse(value);
    if (parsed === null || !Number.isFinite(parsed) || parsed < min) {
      ctx.addIssue({ code: 'custom', message: `must be a size of at least ${min} bytes, like 512MB or 10GB` });
      return z.NEVER;
    }
    return parsed;
  });

export const url = (protocols: readonly string[]) =>
  z.string().trim().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
    } catch {
      return false;
    }
  }, `must be a URL (${protocols.join(', ')})`);

/** Comma-separated list of non-empty items. */
export const list = <T>(item: z.ZodType<T, string>) =>
  z.string().transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean)).pipe(
    z.array(item).min(1, 'must list at least one value'),
  );
