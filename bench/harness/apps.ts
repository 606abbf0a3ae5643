import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export interface AppProcess {
  label: string;
  pid: number;
  /** The last lines it printed (warnings and errors only: LOG_LEVEL=warn). */
  tail(): string;
  stop(): Promise<void>;
  /** SIGKILL, no shutdown hooks: what a crash or an OOM kill looks like. */
  kill(): Promise<void>;
}

/**
 * API processes (API_PROCESSES, node:cluster) for the bench's API; BENCH_API_PROCESSES
 * overrides it. 1 on the 2-core bench machine: there Postgres, Redis and the load
 * process share the two cores with the API, and a booking costs Postgres about as much
 * CPU as it costs the API, so a second API process only adds contention (measured
 * 2026-11-27: bookings/s equal within noise, API CPU per request +40 %, booking p99 and
 * race p99 worse). Give it the API's share of the cores on a bigger machine.
 */
export const API_PROCESSES = process.env.BENCH_API_PROCESSES ?? '1';

/**
 * The node flags `npm run start:api` and docker/ give the API: a larger young
 * generation, so that a request's short-lived objects die there instead of being copied
 * (booking bench, two alternating pairs: +5 % bookings/s, p99 −6 ms; docs/decisions.md §7).
 */
export const API_NODE_FLAGS = ['--max-semi-space-size=32'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The first port from `start` that nothing listens on, tried by binding it. */
export async function freePort(start: number): Promise<number> {
  for (let port = start; port < start + 50; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${start}–${start + 49}`);
}

const running = new Set<ChildProcess>();

/** Last resort when the harness dies: never leave a production app behind. */
export function killAllApps(): void {
  for (const child of running) child.kill('SIGKILL');
}

/**
 * Starts a production build (`node dist/apps/<app>/src/main.js`) as a child process,
 * keeping the last 40 lines it printed for the report when it misbehaves.
 */
export function startApp(
  root: string,
  app: 'api' | 'worker',
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): AppProcess {
  const child = spawn(
    process.execPath,
    [
      ...(app === 'api' ? API_NODE_FLAGS : []),
      ...nodeArgs,
      path.join(root, 'dist/apps', app, 'src/main.js'),
    ],
    {
      cwd: root,
      env: app === 'api' ? { API_PROCESSES, ...env } : env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );
  return {
    label: app,
    pid: child.pid!,
    tail: () => lines.join('\n'),
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls until `url` answers 200; fails early with the app's output if it died. */
export async function waitReady(app: AppProcess, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    try {
      process.kill(app.pid, 0);
    } catch {
      throw new Error(`${app.label} exited while starting:\n${app.tail()}`);
    }
    await sleep(250);
  }
  throw new Error(
    `${app.label} was not ready at ${url} within ${timeoutMs / 1000} s:\n${app.tail()}`,
  );
}
