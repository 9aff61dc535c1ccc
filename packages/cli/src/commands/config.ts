import { CONFIG_GROUPS, configTable, loadApiConfig, loadUpConfig, loadWorkerConfig } from '@kiln/shared';

const LOADERS = { api: loadApiConfig, worker: loadWorkerConfig, up: loadUpConfig } as const;

/** `kiln config` prints the reference table; `kiln config check api` validates this environment. */
export async function configCommand(args: string[]): Promise<number> {
  const [action, process_] = args;
  if (action === undefined) {
    process.stdout.write(`${configTable(CONFIG_GROUPS)}\n`);
    return 0;
  }
  if (action === 'check' && process_ !== undefined && Object.hasOwn(LOADERS, process_)) {
    LOADERS[process_ as keyof typeof LOADERS](process.env);
    process.stdout.write(`the ${process_} configuration is valid\n`);
    return 0;
  }
  process.stderr.write('usage: kiln config [check api|worker|up]\n');
  return Promise.resolve(2);
}
