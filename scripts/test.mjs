#!/usr/bin/env node
// `npm test [-- jest args]`: finds or starts Postgres and Redis (scripts/stack.mjs), runs the
// whole jest suite against them, then stops whatever it started. Jest's globalSetup creates
// and migrates the template database each test file clones.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, ensureStack, withDatabase } from './stack.mjs';

const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
if (!fs.existsSync(jest)) {
  process.stderr.write('[test] jest is not installed: run `npm ci` first\n');
  process.exit(1);
}

const args = process.argv.slice(2);
const choosesWorkers = args.some((arg) =>
  /^(--maxWorkers|--max-workers|-w|--runInBand|-i$)/.test(arg),
);
if (!choosesWorkers) args.push('--maxWorkers=2');

let child = null;
let interrupted = null;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (child) child.kill(signal);
    else interrupted = signal;
  });
}

let stack;
try {
  stack = await ensureStack({ name: 'test' });
} catch (error) {
  process.stderr.write(`[stack] ${error.message}\n`);
  process.exit(1);
}
if (interrupted) {
  await stack.stop();
  process.exit(128 + os.constants.signals[interrupted]);
}

child = spawn(process.execPath, [jest, ...args], {
  cwd: ROOT,
  stdio: 'inherit',
  env: {
    ...process.env,
    DATABASE_URL: withDatabase(stack.databaseUrl, 'postgres'),
    REDIS_URL: stack.redisUrl,
    NODE_ENV: 'test',
  },
});
child.on('exit', async (code, signal) => {
  await stack.stop();
  process.exit(code ?? 128 + (os.constants.signals[signal] ?? 0));
});
