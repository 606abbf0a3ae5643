import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';

/** The same server URL with another database (scripts/stack.mjs' withDatabase, typed). */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

const BENCH_NAME = /^clinic_bench[a-z0-9_]*$/;

/**
 * Drops and recreates a bench database. Only names starting with clinic_bench are
 * accepted: other people's databases live on the same server.
 */
export async function freshDatabase(serverUrl: string, name: string): Promise<string> {
  if (!BENCH_NAME.test(name))
    throw new Error(`refusing to recreate ${name}: not a clinic_bench* name`);
  const admin = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return withDatabase(serverUrl, name);
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  if (!BENCH_NAME.test(name)) throw new Error(`refusing to drop ${name}: not a clinic_bench* name`);
  const admin = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Runs the production migration command, exactly as a deployment does. */
export function migrate(root: string, databaseUrl: string, redisUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(root, 'dist/apps/cli/src/main.js'), 'migrate'],
      {
        cwd: root,
        env: {
          ...process.env,
          NODE_ENV: 'production',
          DATABASE_URL: databaseUrl,
          REDIS_URL: redisUrl,
          // The CLI validates the whole config; the secret is never used by migrate.
          JWT_SECRET: process.env.JWT_SECRET ?? 'bench-migrate-only-secret-0123456789abcdef',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`migrate failed (exit ${code}):\n${output.trim()}`)),
    );
  });
}
