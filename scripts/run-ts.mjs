#!/usr/bin/env node
// Runs a TypeScript entry point straight from source (decorator metadata and the
// @app/* path aliases included) — for scripts and `npm run dev`, not for production.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: run-ts <entry.ts> [args…]');
  process.exit(2);
}
const child = spawn(
  process.execPath,
  ['--enable-source-maps', '-r', require.resolve('@swc-node/register'), entry, ...args],
  { stdio: 'inherit', env: { ...process.env } },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
