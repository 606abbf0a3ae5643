#!/usr/bin/env node
// Finds or starts the PostgreSQL and Redis that `npm run dev`, `npm test` and `npm run bench`
// run against. DATABASE_URL / REDIS_URL are used when they answer; otherwise project-local
// servers are started under .local/ (git-ignored) on their own ports, so a machine with only
// the Debian packages `postgresql` and `redis-server` installed needs no setup at all.
//
//   node scripts/stack.mjs          start (or find) both, print DATABASE_URL=… and REDIS_URL=…
//   node scripts/stack.mjs stop     stop the project-local servers, whoever started them
//
// Overrides: LOCAL_PG_PORT (54329), LOCAL_REDIS_PORT (63799), PG_BIN_DIR (directory holding
// initdb/pg_ctl/postgres), REDIS_SERVER_BIN (path of redis-server).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const LOCAL = path.join(ROOT, '.local');
const REDIS_DIR = path.join(LOCAL, 'redis');
const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
const DEFAULT_PG_PORT = 54329;
const DEFAULT_REDIS_PORT = 63799;

// Log lines go to stderr so that stdout of `node scripts/stack.mjs` is only the URLs.
const log = (message) => process.stderr.write(`[stack] ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const rel = (p) => (p.startsWith(ROOT + path.sep) ? path.relative(ROOT, p) : p);

// ---------------------------------------------------------------------------------------------
// Small process / file helpers

/** Runs a command to completion and collects its output; never rejects. */
function run(cmd, args, { input, cwd, env, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    let child;
    const finish = (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    };
    const timer = setTimeout(() => {
      stderr += `${path.basename(cmd)} did not finish within ${timeoutMs / 1000} s\n`;
      child?.kill('SIGKILL');
      finish(124);
    }, timeoutMs);
    try {
      child = spawn(cmd, args, {
        cwd,
        env: env ?? process.env,
        stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      stderr += `${error.message}\n`;
      finish(127);
      return;
    }
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) => {
      stderr += `${error.message}\n`;
      finish(127);
    });
    child.on('close', (code) => finish(code ?? 1));
    // A daemon that inherited our pipes would hold 'close' back forever; 'exit' is enough.
    child.on('exit', (code) => setTimeout(() => finish(code ?? 1), 300).unref());
    if (input !== undefined) {
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    }
  });
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function which(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

function readPid(file) {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').split('\n')[0], 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** True when `pid` is alive and (where /proc tells) runs the expected program. */
function processRuns(pid, command) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (error.code !== 'EPERM') return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === command;
  } catch {
    return true; // no /proc: trust the pid
  }
}

function tail(file, lines = 25) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable)';
  }
}

/** The same server URL with another database. */
export function withDatabase(url, dbName) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(dbName)}`;
  return u.toString();
}

async function waitFor(check, timeoutMs, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/** Opens a socket ({host, port} or {path}), resolves it or null; `secure` uses TLS. */
function openSocket(target, { timeoutMs = 1500, secure = false } = {}) {
  return new Promise((resolve) => {
    const socket = secure
      ? tls.connect({ ...target, servername: target.host })
      : net.connect(target);
    const timer = setTimeout(() => done(null), timeoutMs);
    function done(result) {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.on('error', () => {});
      if (!result) socket.destroy();
      resolve(result);
    }
    socket.once(secure ? 'secureConnect' : 'connect', () => done(socket));
    socket.once('error', () => done(null));
  });
}

async function portAnswers(port, host = '127.0.0.1') {
  const socket = await openSocket({ host, port });
  socket?.destroy();
  return socket !== null;
}

/** Sends `payload`, feeds every chunk to `decide` until it returns a result or time runs out. */
async function converse(target, payload, decide, { timeoutMs = 2500, secure = false } = {}) {
  const socket = await openSocket(target, { timeoutMs, secure });
  if (!socket) return { ok: false, reason: 'connection refused or timed out' };
  return new Promise((resolve) => {
    let buffer = Buffer.alloc(0);
    const finish = (result) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: 'no answer' }), timeoutMs);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      const result = decide(buffer);
      if (result) finish(result);
    });
    socket.on('error', (error) => finish({ ok: false, reason: error.code ?? error.message }));
    socket.on('close', () => finish({ ok: false, reason: 'connection closed' }));
    socket.write(payload);
  });
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

function pgBinDirs() {
  const complete = (dir) =>
    ['initdb', 'pg_ctl', 'postgres'].every((bin) => isExecutable(path.join(dir, bin)));
  if (process.env.PG_BIN_DIR) return [process.env.PG_BIN_DIR].filter(complete);
  const base = '/usr/lib/postgresql';
  let versions = [];
  try {
    versions = fs
      .readdirSync(base)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  } catch {
    // not a Debian layout
  }
  const dirs = versions.map((v) => path.join(base, v, 'bin'));
  const onPath = which('pg_ctl'); // Homebrew, Arch, …
  if (onPath) dirs.push(path.dirname(fs.realpathSync(onPath)));
  return [...new Set(dirs)].filter(complete);
}

async function pgMajor(binDir) {
  const { stdout } = await run(path.join(binDir, 'pg_ctl'), ['--version'], { timeoutMs: 10_000 });
  return stdout.match(/(\d+)(?:\.\d+)?/)?.[1] ?? null;
}

/** The newest binaries, or those matching an existing data folder's major version. */
async function choosePgBin(dataDir) {
  const dirs = pgBinDirs();
  let wanted;
  try {
    wanted = fs.readFileSync(path.join(dataDir, 'PG_VERSION'), 'utf8').trim();
  } catch {
    return dirs[0] ?? null;
  }
  for (const dir of dirs) if ((await pgMajor(dir)) === wanted) return dir;
  if (dirs.length) {
    throw new Error(
      `${rel(dataDir)} was created by PostgreSQL ${wanted}, but only other versions are installed ` +
        `(${dirs.join(', ')}). Remove ${rel(path.dirname(dataDir))} to start from an empty ` +
        `cluster (local data is lost), or set PG_BIN_DIR to PostgreSQL ${wanted}'s bin folder.`,
    );
  }
  return null;
}

function findPsql() {
  for (const dir of pgBinDirs())
    if (isExecutable(path.join(dir, 'psql'))) return path.join(dir, 'psql');
  if (isExecutable('/usr/bin/psql')) return '/usr/bin/psql';
  return which('psql');
}

/** PostgreSQL refuses to run as root: then it runs as the `postgres` system user. */
const asPostgres = (cmd, args) =>
  IS_ROOT ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];

async function postgresUserIds() {
  const [uid, gid] = await Promise.all([
    run('id', ['-u', 'postgres'], { timeoutMs: 10_000 }),
    run('id', ['-g', 'postgres'], { timeoutMs: 10_000 }),
  ]);
  if (uid.code !== 0 || gid.code !== 0) return null;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * Where the local cluster lives: .local/postgres, unless we are root and the `postgres` user
 * cannot reach the repository (a checkout under /root or a mode-700 temp folder, as CI
 * makes): then a folder in /tmp named after the repository path, removed again by stop()
 * when this call created it.
 */
async function pgLocation() {
  const inRepo = { base: path.join(LOCAL, 'postgres'), outside: false };
  if (IS_ROOT) {
    const reach = await run('runuser', ['-u', 'postgres', '--', 'test', '-x', ROOT], {
      timeoutMs: 10_000,
    });
    if (reach.code !== 0) {
      const hash = createHash('sha256').update(ROOT).digest('hex').slice(0, 12);
      return { base: path.join('/tmp', `clinic-postgres-${hash}`), outside: true };
    }
  }
  return inRepo;
}

function pgPaths({ base, outside }) {
  return {
    base,
    outside,
    data: path.join(base, 'data'),
    run: path.join(base, 'run'),
    log: path.join(base, 'log'),
  };
}

function pgPidInfo(dataDir) {
  try {
    const lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    return { pid: Number.parseInt(lines[0], 10), port: Number.parseInt(lines[3], 10) };
  } catch {
    return null;
  }
}

function pgStartupMessage(user, database) {
  const params = Buffer.from(`user\0${user}\0database\0${database}\0\0`);
  const header = Buffer.alloc(8);
  header.writeInt32BE(8 + params.length, 0);
  header.writeInt32BE(196608, 4); // protocol 3.0
  return Buffer.concat([header, params]);
}

/** Speaks the first step of the wire protocol: an 'R' (authentication request) means a server. */
function pgHandshake(target, user, database) {
  return converse(target, pgStartupMessage(user, database), (buffer) => {
    const kind = String.fromCharCode(buffer[0]);
    if (kind === 'R') return { ok: true };
    if (kind === 'E' && buffer.length > 5) {
      const fields = buffer.subarray(5).toString('utf8').split('\0');
      const message = fields.find((f) => f.startsWith('M'));
      return { ok: false, reason: message ? message.slice(1) : 'server refused the connection' };
    }
    return kind === 'E' ? null : { ok: false, reason: 'not a PostgreSQL server' };
  });
}

function pgTarget(url) {
  const u = new URL(url);
  if (!['postgres:', 'postgresql:'].includes(u.protocol)) throw new Error('not a postgres:// URL');
  const host =
    decodeURIComponent(u.hostname) || u.searchParams.get('host') || '/var/run/postgresql';
  const port = Number(u.port || u.searchParams.get('port') || 5432);
  const user = decodeURIComponent(u.username) || process.env.PGUSER || os.userInfo().username;
  const database = decodeURIComponent(u.pathname.slice(1)) || user;
  const target = host.startsWith('/')
    ? { path: path.join(host, `.s.PGSQL.${port}`) }
    : { host: host.replace(/^\[|\]$/g, ''), port };
  return { target, user, database };
}

/** Does a server answer at `url` and accept the credentials in it? */
async function probePostgres(url) {
  let parsed;
  try {
    parsed = pgTarget(url);
  } catch {
    return { ok: false, reason: 'not a postgres:// URL' };
  }
  const socket = await openSocket(parsed.target);
  if (!socket) return { ok: false, reason: 'nothing accepts connections there' };
  socket.destroy();
  const psql = findPsql();
  const result = psql
    ? await run(psql, ['-w', '-X', '-A', '-t', '-c', 'select 1', '-d', url], {
        timeoutMs: 10_000,
        env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
      })
    : null;
  const answer = result
    ? result.code === 0 && result.stdout.trim() === '1'
      ? { ok: true }
      : { ok: false, reason: result.stderr.trim().split('\n')[0] || `psql exited ${result.code}` }
    : await pgHandshake(parsed.target, parsed.user, parsed.database);
  // The server and the credentials are fine, the database is not created yet: callers
  // (ensureDatabase, the test setup) create databases themselves.
  if (!answer.ok && /database ".*" does not exist/.test(answer.reason)) return { ok: true };
  return answer;
}

async function preparePgDirs(paths) {
  for (const dir of [paths.base, paths.run]) fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.mkdirSync(paths.data, { recursive: true, mode: 0o700 });
  // The postgres user must be able to traverse into the data folder.
  if (!paths.outside) for (const dir of [LOCAL, paths.base]) fs.chmodSync(dir, 0o755);
  fs.closeSync(fs.openSync(paths.log, 'a'));
  if (IS_ROOT) {
    const ids = await postgresUserIds();
    if (!ids) throw new Error("there is no 'postgres' system user to run PostgreSQL as");
    const owned = paths.outside
      ? [paths.base, paths.data, paths.run, paths.log]
      : [paths.data, paths.run, paths.log];
    for (const p of owned) fs.chownSync(p, ids.uid, ids.gid);
    const versionFile = path.join(paths.data, 'PG_VERSION');
    if (fs.existsSync(versionFile) && fs.statSync(versionFile).uid !== ids.uid) {
      await run('chown', ['-R', `${ids.uid}:${ids.gid}`, paths.data]);
    }
  }
  fs.chmodSync(paths.data, 0o700);
}

async function pickLocale() {
  const { code, stdout } = await run('locale', ['-a'], { timeoutMs: 10_000 });
  return code === 0 && /^c\.utf-?8$/im.test(stdout) ? 'C.UTF-8' : 'C';
}

async function initCluster(paths, bin) {
  const entries = fs.readdirSync(paths.data);
  if (entries.length) {
    // An interrupted initdb leaves a folder without PG_VERSION that initdb refuses to reuse.
    for (const entry of entries) fs.rmSync(path.join(paths.data, entry), { recursive: true });
  }
  const locale = await pickLocale();
  const [cmd, args] = asPostgres(path.join(bin, 'initdb'), [
    '-D',
    paths.data,
    '-A',
    'trust',
    '-U',
    'postgres',
    '--no-sync',
    '-E',
    'UTF8',
    `--locale=${locale}`,
  ]);
  const result = await run(cmd, args, { cwd: paths.base, timeoutMs: 180_000 });
  if (result.code !== 0) {
    throw new Error(`initdb failed:\n${result.stdout}${result.stderr}`.trimEnd());
  }
}

const shellQuote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

async function startPostgres(paths, bin, port, { fsyncOff }) {
  const socketFile = path.join(paths.run, `.s.PGSQL.${port}`);
  // Unix socket paths are limited to ~107 bytes; a deep checkout gets TCP only.
  const socketDir = socketFile.length < 100 ? shellQuote(paths.run) : "''";
  const options = [
    `-p ${port}`,
    `-k ${socketDir}`,
    '-c listen_addresses=127.0.0.1',
    // Each jest worker runs API + worker pools against its own database.
    '-c max_connections=200',
    ...(fsyncOff ? ['-c fsync=off'] : []),
  ].join(' ');
  const [cmd, args] = asPostgres(path.join(bin, 'pg_ctl'), [
    '-D',
    paths.data,
    '-w',
    '-t',
    '60',
    '-l',
    paths.log,
    '-o',
    options,
    'start',
  ]);
  const result = await run(cmd, args, { cwd: paths.base, timeoutMs: 90_000 });
  if (result.code !== 0) {
    throw new Error(
      `PostgreSQL did not start on 127.0.0.1:${port}:\n${result.stdout}${result.stderr}` +
        `--- last lines of ${rel(paths.log)}:\n${tail(paths.log)}`,
    );
  }
}

async function stopPostgres(paths, bin) {
  const [cmd, args] = asPostgres(path.join(bin, 'pg_ctl'), [
    '-D',
    paths.data,
    '-m',
    'fast',
    '-w',
    '-t',
    '60',
    'stop',
  ]);
  const result = await run(cmd, args, { cwd: paths.base, timeoutMs: 90_000 });
  if (result.code !== 0) {
    throw new Error(`pg_ctl stop failed: ${(result.stderr || result.stdout).trim()}`);
  }
}

/** Port of the running local cluster, or null when none runs (a stale pid file is removed). */
async function runningLocalPostgres(paths) {
  const info = pgPidInfo(paths.data);
  if (!info) return null;
  if (!processRuns(info.pid, 'postgres')) {
    fs.rmSync(path.join(paths.data, 'postmaster.pid'), { force: true });
    return null;
  }
  const target = { host: '127.0.0.1', port: info.port };
  const answers = () => pgHandshake(target, 'postgres', 'postgres').then((r) => r.ok);
  if (await waitFor(answers, 60_000, 250)) return info.port;
  throw new Error(
    `a PostgreSQL server (pid ${info.pid}) owns ${rel(paths.data)} but does not answer on ` +
      `127.0.0.1:${info.port}; see ${rel(paths.log)}, or stop it: node scripts/stack.mjs stop`,
  );
}

/** Finds or starts the local cluster; resolves { url, startedHere, stop }. */
async function localPostgres(name, location, bin) {
  const paths = pgPaths(location);
  const where = location.outside
    ? `${paths.data} (the postgres user cannot reach ${ROOT})`
    : rel(paths.data);
  const runningPort = fs.existsSync(paths.data) ? await runningLocalPostgres(paths) : null;
  if (runningPort) {
    log(`${name}: reusing the local PostgreSQL already running on 127.0.0.1:${runningPort}`);
    return { url: `postgres://postgres@127.0.0.1:${runningPort}/postgres`, stop: null };
  }
  const port = Number(process.env.LOCAL_PG_PORT || DEFAULT_PG_PORT);
  if (await portAnswers(port)) {
    throw new Error(
      `port ${port} on 127.0.0.1 is taken by another program; set LOCAL_PG_PORT to a free port`,
    );
  }
  await preparePgDirs(paths);
  let created = false;
  if (!fs.existsSync(path.join(paths.data, 'PG_VERSION'))) {
    log(`${name}: creating a local PostgreSQL cluster in ${where}`);
    await initCluster(paths, bin);
    created = true;
  }
  await startPostgres(paths, bin, port, { fsyncOff: name !== 'dev' });
  log(
    `${name}: started local PostgreSQL (${bin}) on 127.0.0.1:${port}, data in ${where}` +
      (name !== 'dev' ? ', fsync=off' : ''),
  );
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await stopPostgres(paths, bin);
      log(`${name}: stopped local PostgreSQL on 127.0.0.1:${port}`);
      if (location.outside && created) fs.rmSync(paths.base, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Redis

function findRedisServer() {
  if (process.env.REDIS_SERVER_BIN) {
    return isExecutable(process.env.REDIS_SERVER_BIN) ? process.env.REDIS_SERVER_BIN : null;
  }
  return (
    which('redis-server') ??
    (isExecutable('/usr/bin/redis-server') ? '/usr/bin/redis-server' : null)
  );
}

const resp = (...words) =>
  `*${words.length}\r\n${words.map((w) => `$${Buffer.byteLength(w)}\r\n${w}\r\n`).join('')}`;

/** AUTH (when the URL has a password) then PING; ok on +PONG. */
async function probeRedis(url) {
  let u;
  try {
    u = new URL(url);
    if (!['redis:', 'rediss:'].includes(u.protocol)) throw new Error('not a redis:// URL');
  } catch {
    return { ok: false, reason: 'not a redis:// URL' };
  }
  const host = u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(u.port || 6379);
  const password = decodeURIComponent(u.password);
  const username = decodeURIComponent(u.username);
  const auth = password
    ? username
      ? resp('AUTH', username, password)
      : resp('AUTH', password)
    : '';
  return converse(
    { host, port },
    auth + resp('PING'),
    (buffer) => {
      for (const line of buffer.toString('utf8').split('\r\n')) {
        if (line.startsWith('+PONG')) return { ok: true };
        if (line.startsWith('-')) return { ok: false, reason: line.slice(1) };
      }
      return null;
    },
    { secure: u.protocol === 'rediss:' },
  );
}

const redisPaths = {
  pid: path.join(REDIS_DIR, 'redis.pid'),
  port: path.join(REDIS_DIR, 'port'),
  log: path.join(REDIS_DIR, 'redis.log'),
};

const localRedisPing = (port) => probeRedis(`redis://127.0.0.1:${port}`).then((r) => r.ok);

/** { pid, port } of the running local Redis, or null. */
async function runningLocalRedis() {
  const pid = readPid(redisPaths.pid);
  if (!processRuns(pid, 'redis-server')) return null;
  let port = DEFAULT_REDIS_PORT;
  try {
    port = Number(fs.readFileSync(redisPaths.port, 'utf8').trim()) || port;
  } catch {
    // started before the port file existed: the default port
  }
  if (await waitFor(() => localRedisPing(port), 10_000, 200)) return { pid, port };
  throw new Error(
    `a redis-server (pid ${pid}) owns ${rel(REDIS_DIR)} but does not answer PING on ` +
      `127.0.0.1:${port}; see ${rel(redisPaths.log)}, or stop it: node scripts/stack.mjs stop`,
  );
}

async function stopRedis({ pid, port }) {
  const cli = which('redis-cli');
  const viaCli = cli
    ? await run(cli, ['-h', '127.0.0.1', '-p', String(port), 'shutdown', 'nosave'], {
        timeoutMs: 15_000,
      })
    : { code: 1 };
  if (viaCli.code !== 0 && processRuns(pid, 'redis-server')) process.kill(pid, 'SIGTERM');
  if (!(await waitFor(() => !processRuns(pid, 'redis-server'), 10_000))) {
    process.kill(pid, 'SIGKILL');
  }
  fs.rmSync(redisPaths.port, { force: true });
}

async function localRedis(name, bin) {
  const running = await runningLocalRedis();
  if (running) {
    log(`${name}: reusing the local Redis already running on 127.0.0.1:${running.port}`);
    return { url: `redis://127.0.0.1:${running.port}`, stop: null };
  }
  const port = Number(process.env.LOCAL_REDIS_PORT || DEFAULT_REDIS_PORT);
  if (await portAnswers(port)) {
    throw new Error(
      `port ${port} on 127.0.0.1 is taken by another program; set LOCAL_REDIS_PORT to a free port`,
    );
  }
  fs.mkdirSync(REDIS_DIR, { recursive: true, mode: 0o755 });
  fs.rmSync(redisPaths.pid, { force: true });
  const result = await run(
    bin,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      REDIS_DIR,
      '--daemonize',
      'yes',
      '--pidfile',
      redisPaths.pid,
      '--logfile',
      redisPaths.log,
      '--appendonly',
      'yes',
      '--maxmemory-policy',
      'noeviction',
    ],
    { cwd: REDIS_DIR, timeoutMs: 30_000 },
  );
  const up = result.code === 0 && (await waitFor(() => localRedisPing(port), 20_000));
  if (!up) {
    throw new Error(
      `Redis did not start on 127.0.0.1:${port}:\n${result.stdout}${result.stderr}` +
        `--- last lines of ${rel(redisPaths.log)}:\n${tail(redisPaths.log)}`,
    );
  }
  fs.writeFileSync(redisPaths.port, `${port}\n`);
  const pid = readPid(redisPaths.pid);
  log(`${name}: started local Redis on 127.0.0.1:${port}, data in ${rel(REDIS_DIR)}`);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      await stopRedis({ pid, port });
      log(`${name}: stopped local Redis on 127.0.0.1:${port}`);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Uses DATABASE_URL / REDIS_URL when they answer, else finds or starts project-local servers.
 * `started` names what this call started; `stop()` stops exactly that, nothing else.
 */
export async function ensureStack({ name = 'dev' } = {}) {
  const envPg = process.env.DATABASE_URL;
  const envRedis = process.env.REDIS_URL;
  const [pgProbe, redisProbe] = await Promise.all([
    envPg ? probePostgres(envPg) : null,
    envRedis ? probeRedis(envRedis) : null,
  ]);

  const problems = [];
  let pgLocal = null;
  if (pgProbe?.ok) {
    log(`${name}: using PostgreSQL at ${redact(envPg)} (DATABASE_URL)`);
  } else {
    if (pgProbe) {
      log(
        `${name}: DATABASE_URL ${redact(envPg)} is not usable (${pgProbe.reason}); using a local server`,
      );
    }
    const location = await pgLocation();
    const bin = await choosePgBin(pgPaths(location).data);
    if (!bin) {
      problems.push(
        `${envPg ? `PostgreSQL is not running at ${redact(envPg)}` : 'DATABASE_URL is not set'} ` +
          `and no local PostgreSQL server binaries were found${process.env.PG_BIN_DIR ? ` in PG_BIN_DIR=${process.env.PG_BIN_DIR}` : ''}: ` +
          'install the Debian package postgresql (apt-get install postgresql) or set DATABASE_URL.',
      );
    } else if (IS_ROOT && !(await postgresUserIds())) {
      problems.push(
        "running as root, but there is no 'postgres' system user to run the local PostgreSQL as: " +
          'install the Debian package postgresql (it creates that user) or set DATABASE_URL.',
      );
    } else {
      pgLocal = { location, bin };
    }
  }

  let redisBin = null;
  if (redisProbe?.ok) {
    log(`${name}: using Redis at ${redact(envRedis)} (REDIS_URL)`);
  } else {
    if (redisProbe) {
      log(
        `${name}: REDIS_URL ${redact(envRedis)} is not usable (${redisProbe.reason}); using a local server`,
      );
    }
    redisBin = findRedisServer();
    if (!redisBin) {
      problems.push(
        `${envRedis ? `Redis is not running at ${redact(envRedis)}` : 'REDIS_URL is not set'} ` +
          'and no redis-server binary was found: install the Debian package redis-server ' +
          '(apt-get install redis-server) or set REDIS_URL.',
      );
    }
  }

  if (problems.length) {
    for (const problem of problems) process.stderr.write(`[stack] ${problem}\n`);
    process.exit(1);
  }

  const [pg, redis] = await Promise.allSettled([
    pgLocal ? localPostgres(name, pgLocal.location, pgLocal.bin) : { url: envPg, stop: null },
    redisBin ? localRedis(name, redisBin) : { url: envRedis, stop: null },
  ]);
  const started = [];
  const stoppers = [];
  if (pg.status === 'fulfilled' && pg.value.stop) {
    started.push('postgres');
    stoppers.push(pg.value.stop);
  }
  if (redis.status === 'fulfilled' && redis.value.stop) {
    started.push('redis');
    stoppers.push(redis.value.stop);
  }

  let stopping = null;
  const stop = () =>
    (stopping ??= (async () => {
      for (const stopOne of stoppers.reverse()) {
        try {
          await stopOne();
        } catch (error) {
          log(`${name}: ${error.message}`);
        }
      }
    })());

  const failures = [pg, redis].filter((r) => r.status === 'rejected').map((r) => r.reason);
  if (failures.length) {
    await stop();
    throw failures.length === 1
      ? failures[0]
      : new Error(failures.map((error) => error.message).join('\n[stack] '));
  }
  return { databaseUrl: pg.value.url, redisUrl: redis.value.url, started, stop };
}

/** Creates `dbName` on the server of `adminUrl` unless it exists; returns its URL. */
export async function ensureDatabase(adminUrl, dbName) {
  if (!/^[^\0]{1,63}$/.test(dbName)) throw new Error(`bad database name: ${dbName}`);
  const psql = findPsql();
  if (!psql) {
    throw new Error(
      'psql was not found: install the Debian package postgresql-client (apt-get install postgresql-client)',
    );
  }
  const sql =
    "SELECT format('CREATE DATABASE %I', :'db') " +
    "WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \\gexec\n";
  // Connected to the maintenance database, as createdb does: adminUrl's own may not exist yet.
  const maintenanceUrl = withDatabase(adminUrl, 'postgres');
  const result = await run(
    psql,
    ['-w', '-X', '-v', 'ON_ERROR_STOP=1', '-v', `db=${dbName}`, '-d', maintenanceUrl, '-f', '-'],
    { input: sql, timeoutMs: 60_000 },
  );
  // "already exists": another process created it between our check and our CREATE.
  if (result.code !== 0 && !/already exists/.test(result.stderr)) {
    throw new Error(`could not create database ${dbName}: ${result.stderr.trim()}`);
  }
  if (result.stdout.includes('CREATE DATABASE')) log(`created database ${dbName}`);
  return withDatabase(adminUrl, dbName);
}

/** `node scripts/stack.mjs stop`: stops the project-local servers whoever started them. */
async function stopLocal() {
  let stopped = 0;
  const locations = [{ base: path.join(LOCAL, 'postgres'), outside: false }, await pgLocation()];
  for (const location of new Map(locations.map((l) => [l.base, l])).values()) {
    const paths = pgPaths(location);
    const info = pgPidInfo(paths.data);
    if (!info || !processRuns(info.pid, 'postgres')) continue;
    const bin = await choosePgBin(paths.data);
    if (!bin) throw new Error('no PostgreSQL binaries found to stop the local cluster with');
    await stopPostgres(paths, bin);
    log(`stopped local PostgreSQL on 127.0.0.1:${info.port} (${paths.data})`);
    stopped++;
  }
  const redis = await runningLocalRedis().catch(() => {
    const pid = readPid(redisPaths.pid);
    return processRuns(pid, 'redis-server') ? { pid, port: DEFAULT_REDIS_PORT } : null;
  });
  if (redis) {
    await stopRedis(redis);
    log(`stopped local Redis on 127.0.0.1:${redis.port}`);
    stopped++;
  }
  if (!stopped) log('no local PostgreSQL or Redis was running');
}

async function main(command = 'start') {
  if (command === 'stop') return stopLocal();
  if (command !== 'start') {
    process.stderr.write('usage: node scripts/stack.mjs [start|stop]\n');
    process.exit(2);
  }
  const stack = await ensureStack({ name: 'dev' });
  process.stdout.write(`DATABASE_URL=${stack.databaseUrl}\nREDIS_URL=${stack.redisUrl}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv[2]).catch((error) => {
    process.stderr.write(`[stack] ${error.message}\n`);
    process.exit(1);
  });
}
