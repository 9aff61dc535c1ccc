import type { z } from 'zod';
import { SharedErrors } from '../errors.js';

/** One environment variable: its name, how its text becomes a value, its default, and what it means. */
export interface Setting<T> {
  readonly env: string;
  readonly schema: z.ZodType<T, string>;
  readonly default: string | undefined;
  readonly required: boolean;
  readonly doc: string;
  /** Secrets are never printed, not even in error messages. */
  readonly secret: boolean;
}

interface SettingOptions {
  readonly default?: string;
  readonly secret?: boolean;
}

/** A setting that always has a value: from the environment, else its default; without a default it is required. */
export function setting<T>(env: string, schema: z.ZodType<T, string>, doc: string, options: SettingOptions = {}): Setting<T> {
  return { env, schema, doc, default: options.default, required: true, secret: options.secret ?? false };
}

/** A setting that may be absent: its value is then `undefined` and the process derives one. */
export function optionalSetting<T>(
  env: string,
  schema: z.ZodType<T, string>,
  doc: string,
  options: Omit<SettingOptions, 'default'> = {},
): Setting<T | undefined> {
  return { env, schema, doc, default: undefined, required: false, secret: options.secret ?? false };
}

export type SettingsSpec = Readonly<Record<string, Setting<unknown>>>;
export type ConfigOf<Spec extends SettingsSpec> = {
  readonly [Key in keyof Spec]: Spec[Key] extends Setting<infer T> ? T : never;
};
export type Env = Readonly<Record<string, string | undefined>>;

/** A check across several keys; returns one message per problem, each naming its variables. */
export type CrossCheck<Config> = (config: Config) => readonly string[];

/**
 * Reads every setting of one process from the environment, converts units, and freezes the
 * result. A bad configuration fails once, listing every bad variable, before anything starts.
 */
export function loadConfig<Spec extends SettingsSpec>(
  spec: Spec,
  env: Env = process.env,
  crossChecks: readonly CrossCheck<ConfigOf<Spec>>[] = [],
): ConfigOf<Spec> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, entry] of Object.entries(spec)) {
    const outcome = readSetting(entry, env);
    if (outcome.ok) values[key] = outcome.value;
    else problems.push(outcome.problem);
  }
  if (problems.length === 0) {
    const config = values as ConfigOf<Spec>;
    for (const check of crossChecks) problems.push(...check(config));
  }
  if (problems.length > 0) {
    throw SharedErrors.create('CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`, {
      details: { problems },
    });
  }
  return deepFreeze(values) as ConfigOf<Spec>;
}

type ReadOutcome = { ok: true; value: unknown } | { ok: false; problem: string };

function readSetting(entry: Setting<unknown>, env: Env): ReadOutcome {
  const given = env[entry.env];
  const text = given === undefined || given === '' ? entry.default : given;
  if (text === undefined) {
    return entry.required ? { ok: false, problem: `${entry.env}: is required (${entry.doc})` } : { ok: true, value: undefined };
  }
  const parsed = entry.schema.safeParse(text);
  if (parsed.success) return { ok: true, value: parsed.data };
  const shown = entry.secret ? '(secret)' : JSON.stringify(text);
  const reason = parsed.error.issues.map((issue) => issue.message).join('; ');
  return { ok: false, problem: `${entry.env}=${shown}: ${reason}` };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** The README's configuration table, made from the settings themselves so the two cannot drift apart. */
export function configTable(groups: readonly { readonly usedBy: string; readonly spec: SettingsSpec }[]): string {
  const rows = new Map<string, { entry: Setting<unknown>; usedBy: string[] }>();
  for (const group of groups) {
    for (const entry of Object.values(group.spec)) {
      const row = rows.get(entry.env) ?? { entry, usedBy: [] };
      row.usedBy.push(group.usedBy);
      rows.set(entry.env, row);
    }
  }
  const escape = (text: string) => text.replaceAll('|', '\\|');
  const lines = ['| Variable | Default | Used by | Meaning |', '|---|---|---|---|'];
  for (const { entry, usedBy } of [...rows.values()].sort((a, b) => a.entry.env.localeCompare(b.entry.env))) {
    const fallback = entry.default !== undefined ? `\`${entry.default}\`` : entry.required ? '*(required)*' : '*(optional)*';
    lines.push(`| \`${entry.env}\` | ${escape(fallback)} | ${usedBy.join(', ')} | ${escape(entry.doc)} |`);
  }
  return lines.join('\n');
}
