#!/usr/bin/env node
// Kiln's packages ship TypeScript sources; tsx compiles them as they load.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
const code = await main(process.argv.slice(2));
// Every command has released what it holds by now; exit even if a library left a handle open.
process.exit(code);
