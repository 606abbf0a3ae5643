#!/usr/bin/env node
// `npm run dev`: Postgres + Redis (scripts/stack.mjs), the `clinic` database migrated and
// seeded with a demo clinic, then the API and the worker from source. Ctrl-C stops everything
// this command started.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ROOT, ensureDatabase, ensureStack } from './stack.mjs';

const log = (message) => process.stderr.write(`[dev] ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const port = Number(process.env.PORT || 3000);

/** Kept in .local so that tokens survive a restart of `npm run dev`. */
function devJwtSecret() {
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  const file = path.join(ROOT, '.local', 'dev-jwt-secret');
  try {
    const saved = fs.readFileSync(file, 'utf8').trim();
    if (saved) return saved;
  } catch {
    // first run
  }
  const secret = randomBytes(48).toString('hex');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

function portInUse() {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (inUse) => {
      socket.destroy();
      resolve(inUse);
    };
    socket.setTimeout(1000);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

function withoutPassword(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

// ---------------------------------------------------------------------------------------------
// Children run in their own process group (detached): Ctrl-C reaches only this script, which
// sends one SIGTERM to each so that the apps shut down gracefully (a second signal would cut
// Nest's shutdown hooks short), and SIGKILLs the whole group if that takes more than 10 s.

const children = new Set();
let stack = null;
let shuttingDown = false;

function start(label, args, env) {
  const child = spawn(process.execPath, [path.join('scripts', 'run-ts.mjs'), ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  child.label = label;
  child.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  children.add(child);
  return child;
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function shutdown(exitCode) {
  if (shuttingDown) return;
  shuttingDown = true;
  const running = [...children];
  for (const child of running) child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const child of children) {
      log(`${child.label} did not stop within 10 s; killing it`);
      killGroup(child, 'SIGKILL');
    }
  }, 10_000);
  await Promise.all(running.map((child) => child.exited));
  clearTimeout(force);
  await stack?.stop();
  process.exit(exitCode);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (!shuttingDown) {
      log('stopping…');
      void shutdown(0);
    } else {
      for (const child of children) killGroup(child, 'SIGKILL'); // second Ctrl-C: no waiting
    }
  });
}
// Last resort if this script dies of an exception: never leave orphaned apps behind.
process.on('exit', () => {
  for (const child of children) killGroup(child, 'SIGKILL');
});

async function waitUntilReady(url, deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline && !shuttingDown) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return true;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (await portInUse()) {
    log(`port ${port} is already in use on 127.0.0.1: stop what runs there or set PORT`);
    process.exit(1);
  }
  stack = await ensureStack({ name: 'dev' });
  if (shuttingDown) return;
  // A DATABASE_URL that names its own database is used as given; otherwise `clinic`.
  const givenDb =
    process.env.DATABASE_URL === stack.databaseUrl
      ? decodeURIComponent(new URL(stack.databaseUrl).pathname.slice(1))
      : '';
  const dbName = givenDb && givenDb !== 'postgres' ? givenDb : 'clinic';
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: await ensureDatabase(stack.databaseUrl, dbName),
    REDIS_URL: stack.redisUrl,
    PORT: String(port),
    JWT_SECRET: devJwtSecret(),
    BOOTSTRAP_ADMIN_EMAIL: process.env.BOOTSTRAP_ADMIN_EMAIL || 'admin@clinic.test',
    BOOTSTRAP_ADMIN_PASSWORD: process.env.BOOTSTRAP_ADMIN_PASSWORD || 'admin-demo-password',
    LOG_LEVEL: process.env.LOG_LEVEL || 'info',
  };

  for (const step of ['migrate', 'seed']) {
    if (shuttingDown) return;
    log(`${step}…`);
    const { code, signal } = await start(step, ['apps/cli/src/main.ts', step], env).exited;
    if (shuttingDown) return;
    if (code !== 0) {
      log(`${step} failed (${signal ?? `exit code ${code}`})`);
      return shutdown(code || 1);
    }
  }

  for (const [label, entry] of [
    ['api', 'apps/api/src/main.ts'],
    ['worker', 'apps/worker/src/main.ts'],
  ]) {
    const child = start(label, [entry], env);
    void child.exited.then(({ code, signal }) => {
      if (shuttingDown) return;
      log(`${label} exited on its own (${signal ?? `exit code ${code}`}); stopping everything`);
      void shutdown(code || 1);
    });
  }

  const base = `http://localhost:${port}`;
  if (!(await waitUntilReady(`http://127.0.0.1:${port}/health/ready`, 60_000))) {
    if (shuttingDown) return;
    log(`the API did not answer 200 on ${base}/health/ready within 60 s; stopping`);
    return shutdown(1);
  }
  const adminEmail = env.BOOTSTRAP_ADMIN_EMAIL;
  const adminPassword = env.BOOTSTRAP_ADMIN_PASSWORD;
  process.stdout.write(
    [
      '',
      '  Clinic scheduling backend is running',
      '',
      `  API          ${base}`,
      `  Swagger UI   ${base}/docs`,
      `  Health       ${base}/health/ready  (liveness: ${base}/health/live)`,
      `  Metrics      ${base}/metrics`,
      `  Postgres     ${withoutPassword(env.DATABASE_URL)}`,
      `  Redis        ${withoutPassword(env.REDIS_URL)}`,
      '',
      '  Demo logins (POST /auth/login):',
      `    ${adminEmail} / ${adminPassword}  (admin)`,
      '    frontdesk@clinic.test / demo-password  (front_desk)',
      '    clinicians: see the logins printed by the seed above',
      '',
      '  Ctrl-C stops everything.',
      '',
      '',
    ].join('\n'),
  );
}

main().catch((error) => {
  log(error.message);
  void shutdown(1);
});
