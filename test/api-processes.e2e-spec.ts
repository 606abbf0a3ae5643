import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import {
  clearPrefix,
  createTestDatabase,
  testServers,
  waitFor,
  type TestDatabase,
} from '@app/testing';

const ROOT = path.resolve(__dirname, '..');

/** Pids of the live processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name: state, ppid, …
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid && state !== 'Z') children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A GET on a connection of its own (no keep-alive), so the primary hands it to the next worker. */
function getOnNewConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

describe('API_PROCESSES=2: workers share the port, a dead one is replaced, SIGTERM stops all', () => {
  let database: TestDatabase;
  let api: ChildProcess;
  let output = '';
  let closed: Promise<number | null>;
  const queuePrefix = `t${randomBytes(5).toString('hex')}`;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    if (api?.pid && api.exitCode === null) process.kill(-api.pid, 'SIGKILL');
    await clearPrefix(testServers().redisUrl, queuePrefix);
    await database?.drop();
  }, 30_000);

  it('serves /health/ready from two workers and shuts down cleanly', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    api = spawn(process.execPath, ['scripts/run-ts.mjs', 'apps/api/src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        HOST: '127.0.0.1',
        PORT: String(port),
        API_PROCESSES: '2',
        DATABASE_URL: database.url,
        DATABASE_POOL_SIZE: '4',
        REDIS_URL: testServers().redisUrl,
        QUEUE_PREFIX: queuePrefix,
        JWT_SECRET: randomBytes(32).toString('hex'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a stuck run is killed with all its processes.
      detached: true,
    });
    api.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    api.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    closed = once(api, 'close').then(([code]) => code as number | null);

    // run-ts starts the primary, which forks the workers.
    const primary = await waitFor(() => Promise.resolve(childrenOf(api.pid!)[0]), {
      timeoutMs: 30_000,
      what: 'the primary process',
    });
    const ready = async () => {
      if (api.exitCode !== null) throw new Error(`the API exited (${api.exitCode}):\n${output}`);
      const workers = childrenOf(primary);
      const res = await fetch(`${baseUrl}/health/ready`).catch(() => undefined);
      return workers.length === 2 && res?.status === 200 ? workers : undefined;
    };
    const workers = await waitFor(ready, {
      timeoutMs: 90_000,
      intervalMs: 250,
      what: 'two workers and /health/ready',
    });

    // New connections go to the listening workers in turn: the request lines name both
    // pids. The second worker may start listening a moment after the first answers, so
    // requests keep coming on new connections until both have served one.
    await waitFor(
      async () => {
        expect(await getOnNewConnection(`${baseUrl}/health/ready`)).toBe(200);
        const pids = new Set(
          output
            .split('\n')
            .filter((line) => line.startsWith('{') && line.includes('"/health/ready"'))
            .map((line) => (JSON.parse(line) as { pid: number }).pid),
        );
        return workers.every((pid) => pids.has(pid));
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'request lines from both workers' },
    );

    // A worker that dies is replaced.
    process.kill(workers[0], 'SIGKILL');
    const replaced = await waitFor(
      async () => {
        const now = await ready().catch(() => undefined);
        return now && !now.includes(workers[0]) ? now : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250, what: 'a replacement worker' },
    );
    expect(replaced).toContain(workers[1]);

    // SIGTERM: every worker closes, then the primary exits 0 (run-ts passes its code on).
    process.kill(api.pid!, 'SIGTERM');
    expect(await closed).toBe(0);
    expect([primary, ...replaced].filter(alive)).toEqual([]);
    expect(output).toContain('stopping API workers');
  }, 240_000);
});
