import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
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

/** The API as users start it: its own process, configured by nothing but `env`. */
interface ApiProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Settles once the process has exited and its output streams are drained. */
  closed: Promise<number | null>;
}

function startApi(env: Record<string, string>): ApiProcess {
  const child = spawn(process.execPath, ['scripts/run-ts.mjs', 'apps/api/src/main.ts'], {
    cwd: ROOT,
    // Only what is given: nothing leaks in from the test runner's own environment.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that a stuck run can be killed with run-ts's own child.
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const closed = once(child, 'close').then(([code]) => code as number | null);
  return { child, stdout: () => stdout, stderr: () => stderr, closed };
}

/** Waits for the exit, sending `signal` first if given; SIGKILLs the group after `graceMs`. */
async function finish(api: ApiProcess, signal?: NodeJS.Signals, graceMs = 15_000) {
  const running = api.child.exitCode === null && api.child.signalCode === null;
  if (running && signal) api.child.kill(signal);
  const timer = setTimeout(() => {
    if (api.child.pid) process.kill(-api.child.pid, 'SIGKILL');
  }, graceMs);
  const code = await api.closed;
  clearTimeout(timer);
  return { code, stdout: api.stdout(), stderr: api.stderr() };
}

const runToExit = (env: Record<string, string>) => finish(startApi(env), undefined, 45_000);

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

const STACK_FRAME = /^\s+at .+[(:]\d+/m;

describe('configuration errors stop the API with one clear message', () => {
  const valid = () => ({
    DATABASE_URL: testServers().databaseUrl,
    REDIS_URL: testServers().redisUrl,
    JWT_SECRET: randomBytes(32).toString('hex'),
  });

  it('names JWT_SECRET when it is missing, without a stack trace', async () => {
    const { JWT_SECRET: _, ...env } = valid();
    const run = await runToExit(env);
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    expect(run.stderr).toContain('JWT_SECRET');
    expect(run.stderr.match(/Invalid configuration/g)).toHaveLength(1);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.stdout).toBe('');
  });

  it('names every bad variable in the same message', async () => {
    const run = await runToExit({ ...valid(), REDIS_URL: 'nope', PORT: 'abc' });
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    expect(run.stderr.match(/Invalid configuration/g)).toHaveLength(1);
    const message = run.stderr.slice(run.stderr.indexOf('Invalid configuration'));
    expect(message).toMatch(/REDIS_URL/);
    expect(message).toMatch(/PORT/);
    expect(message).not.toMatch(/JWT_SECRET|DATABASE_URL/);
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('no PHI in the logs', () => {
  // Distinctive values: if any of them shows up in the output, it came from this patient.
  const patient = {
    firstName: 'Zephyrina',
    lastName: 'Quillfeather',
    dateOfBirth: '1979-11-23',
    phone: '+15550199137',
    email: 'zephyrina.quill@example.org',
    consent: { sms: true, email: true },
  };
  const patched = { lastName: 'Vantongeren', phone: '+15550188246' };
  const phi = [
    patient.firstName,
    patient.lastName,
    patient.dateOfBirth,
    patient.phone,
    patient.phone.slice(2), // the national number, however it is formatted
    patient.email,
    patched.lastName,
    patched.phone,
  ];

  let database: TestDatabase;
  let api: ApiProcess;
  let baseUrl: string;
  const queuePrefix = `t${randomBytes(5).toString('hex')}`;
  const admin = { email: 'phi-admin@clinic.test', password: randomBytes(12).toString('hex') };

  beforeAll(async () => {
    database = await createTestDatabase();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    api = startApi({
      NODE_ENV: 'production',
      LOG_LEVEL: 'debug',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: database.url,
      REDIS_URL: testServers().redisUrl,
      QUEUE_PREFIX: queuePrefix,
      JWT_SECRET: randomBytes(32).toString('hex'),
      BOOTSTRAP_ADMIN_EMAIL: admin.email,
      BOOTSTRAP_ADMIN_PASSWORD: admin.password,
    });
    await waitFor(
      async () => {
        if (api.child.exitCode !== null) {
          throw new Error(`the API exited (${api.child.exitCode}):\n${api.stderr()}`);
        }
        const res = await fetch(`${baseUrl}/health/ready`).catch(() => undefined);
        return res?.status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the API process to be ready' },
    );
  }, 90_000);

  afterAll(async () => {
    if (api) await finish(api, 'SIGTERM');
    await clearPrefix(testServers().redisUrl, queuePrefix);
    await database?.drop();
  }, 30_000);

  async function call(method: string, url: string, token?: string, body?: string) {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${baseUrl}${url}`, { method, headers, body });
    const text = await res.text();
    return { status: res.status, json: text.startsWith('{') ? JSON.parse(text) : undefined };
  }

  it('writes request logs that carry none of the patient data sent or returned', async () => {
    const login = await call('POST', '/auth/login', undefined, JSON.stringify(admin));
    expect(login.status).toBe(200);
    const token: string = login.json.accessToken;

    const created = await call('POST', '/patients', token, JSON.stringify(patient));
    expect(created.status).toBe(201);
    const id: string = created.json.id;

    const search = await call('GET', `/patients?search=${patient.lastName}`, token);
    expect(search.status).toBe(200);
    expect(search.json.items.map((p: { id: string }) => p.id)).toEqual([id]);
    const byBirthDate = await call('GET', `/patients?search=${patient.dateOfBirth}`, token);
    expect(byBirthDate.status).toBe(200);

    expect((await call('GET', `/patients/${id}`, token)).status).toBe(200);
    const patch = await call('PATCH', `/patients/${id}`, token, JSON.stringify(patched));
    expect(patch.status).toBe(200);
    expect(patch.json.lastName).toBe(patched.lastName);

    // A body the JSON parser rejects, with PHI in it: parser errors tend to quote their input.
    const broken = await call(
      'POST',
      '/patients',
      token,
      `{"firstName": "${patient.firstName}", "lastName": "${patient.lastName}", "phone": ${patient.phone}`,
    );
    expect(broken.status).toBe(400);
    // And one the validator rejects, naming its fields.
    const invalid = await call(
      'POST',
      '/patients',
      token,
      JSON.stringify({ ...patient, dateOfBirth: `${patient.dateOfBirth}x`, ssn: patient.phone }),
    );
    expect(invalid.status).toBe(400);

    const stopped = await finish(api, 'SIGTERM');
    const output = stopped.stdout + stopped.stderr;
    const lower = output.toLowerCase();
    const leaked = phi.filter((value) => lower.includes(value.toLowerCase()));
    expect(leaked).toEqual([]);

    const requestLines = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .filter(
        (entry) => entry.req?.path === '/patients' || entry.req?.path?.startsWith('/patients/'),
      );
    // Logging is on: every request to /patients left a line with its path and status (none at
    // all means the request logger is not attached to the routes).
    expect(requestLines.length).toBeGreaterThanOrEqual(6);
    expect(requestLines.every((entry) => typeof entry.res?.statusCode === 'number')).toBe(true);
  }, 60_000);
});
