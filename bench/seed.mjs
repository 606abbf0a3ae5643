#!/usr/bin/env node
// `node bench/seed.mjs --plans 100000 …`: the data generator alone (see bench/seed/cli.ts),
// run from its TypeScript source like every bench file.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const child = spawn(
  process.execPath,
  [here('../scripts/run-ts.mjs'), here('./seed/cli.ts'), ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
