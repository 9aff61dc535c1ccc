import { isKilnError } from '@kiln/shared';

/** A subcommand takes its own arguments and returns the process exit code. */
type Command = (args: string[]) => Promise<number>;

interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

/** Loaded on demand, so `kiln segment` does not pay for fastify and `kiln api` not for the segmenter. */
const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  up: { summary: 'start Kiln on this machine: Redis, API, workers (Ctrl-C stops everything)', load: async () => (await import('./commands/up.js')).upCommand },
  api: { summary: 'run an API node (config from KILN_* variables)', load: async () => (await import('@kiln/api')).runApi.bind(null, process.env) },
  worker: { summary: 'run a transcoding worker (KILN_WORKER_ROLE=ondemand|pretranscode)', load: async () => (await import('@kiln/worker')).runWorker.bind(null, process.env) },
  segment: { summary: 'cut MPEG-TS from stdin into HLS segments: kiln segment --out DIR [--schedule 2,2,3,3,4,4,5]', load: async () => (await import('./commands/segment.js')).segmentCommand },
  faststart: { summary: 'move an MP4/MOV moov to the front: kiln faststart IN OUT', load: async () => (await import('./commands/faststart.js')).faststartCommand },
  sign: { summary: 'print a playback URL signed with KILN_SIGNING_KEY=KEYID:SECRET: kiln sign --video ID [--profile mobile] [--ttl 10m] [--reusable] [--base-url URL]', load: async () => (await import('./commands/sign.js')).signCommand },
  config: { summary: 'print the configuration reference (markdown), or check one process: kiln config check api|worker|up', load: async () => (await import('./commands/config.js')).configCommand },
  keys: { summary: 'API keys: kiln keys create --name NAME --scope admin|upload|playback, kiln keys list, kiln keys revoke ID', load: async () => (await import('./commands/keys.js')).keysCommand },
  bench: { summary: 'run a benchmark: kiln bench NAME (segmenter, …)', load: async () => (await import('./commands/bench.js')).benchCommand },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`);
  return ['usage: kiln <command> [options]', '', 'commands:', ...lines, '', 'Configuration: KILN_* environment variables (kiln config).'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS[name];
  if (entry === undefined) {
    process.stderr.write(`kiln: unknown command ${JSON.stringify(name)}\n\n${usage()}\n`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command(args);
  } catch (error) {
    // Typed errors (a bad config, a missing ffmpeg) are for people: their message, no stack.
    const message = isKilnError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.stack ?? error.message : String(error);
    process.stderr.write(`kiln ${name}: ${message}\n`);
    return 1;
  }
}
