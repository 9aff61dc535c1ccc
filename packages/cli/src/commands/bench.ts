import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PACKAGES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Benchmarks live beside the code they measure, as `packages/<pkg>/bench/<name>.ts`. */
async function findBenchmarks(): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const pkg of await readdir(PACKAGES_DIR)) {
    const files = await readdir(join(PACKAGES_DIR, pkg, 'bench')).catch(() => [] as string[]);
    for (const file of files.filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))) {
      found.set(file.slice(0, -3), join(PACKAGES_DIR, pkg, 'bench', file));
    }
  }
  return found;
}

export async function benchCommand(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const benchmarks = await findBenchmarks();
  const path = name === undefined ? undefined : benchmarks.get(name);
  if (path === undefined) {
    process.stderr.write(`usage: pnpm bench <name>\nbenchmarks: ${[...benchmarks.keys()].sort().join(', ') || '(none)'}\n`);
    return 2;
  }
  const module = (await import(pathToFileURL(path).href)) as { main?: (args: string[]) => Promise<void> };
  if (typeof module.main !== 'function') throw new Error(`${path} exports no main(args)`);
  await module.main(rest);
  return 0;
}
