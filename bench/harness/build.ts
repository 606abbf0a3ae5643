import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';

export interface BuildInfo {
  action: 'up-to-date' | 'built' | 'build-failed-measured-stale-dist';
  seconds: number;
  /** When the measured dist/apps/api/src/main.js was written. */
  distBuiltAt: string;
  note?: string;
}

const ENTRIES = ['api', 'worker', 'cli'].map((app) => `dist/apps/${app}/src/main.js`);
const TEST_FILE = /\.(spec|int-spec|e2e-spec)\.ts$/;

function newestSource(root: string): number {
  let newest = 0;
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (entry.name.endsWith('.ts') && !TEST_FILE.test(entry.name))
        newest = Math.max(newest, fs.statSync(file).mtimeMs);
    }
  };
  for (const dir of ['apps', 'libs']) visit(path.join(root, dir));
  for (const file of ['tsconfig.json', 'nest-cli.json', 'package-lock.json']) {
    if (fs.existsSync(path.join(root, file)))
      newest = Math.max(newest, fs.statSync(path.join(root, file)).mtimeMs);
  }
  return newest;
}

function oldestEntry(root: string): number | null {
  const times = ENTRIES.map((entry) => {
    const file = path.join(root, entry);
    return fs.existsSync(file) ? fs.statSync(file).mtimeMs : null;
  });
  return times.includes(null) ? null : Math.min(...(times as number[]));
}

/**
 * `npm run build` when dist is missing or older than any source it is built from, so the
 * bench measures the code as it is; a fresh dist is reused (the build takes ~30 s, a
 * sixth of --quick's budget). If the build fails (a colleague's half-written file in a
 * shared tree) while a dist exists, that dist is measured and the report says so.
 */
export async function ensureBuild(
  root: string,
  log: (line: string) => void,
  force: boolean,
): Promise<BuildInfo> {
  const started = performance.now();
  const dist = oldestEntry(root);
  const distAt = () => new Date(fs.statSync(path.join(root, ENTRIES[0])).mtimeMs).toISOString();
  if (!force && dist !== null && dist >= newestSource(root)) {
    log('dist is newer than every source: reusing it');
    return { action: 'up-to-date', seconds: 0, distBuiltAt: distAt() };
  }
  log(
    dist === null
      ? 'dist is missing: npm run build…'
      : 'sources changed since the last build: npm run build…',
  );
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
    const child = spawn('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', (error) => resolve({ code: 127, output: error.message }));
    child.on('exit', (exitCode) => resolve({ code: exitCode ?? 1, output: text }));
  });
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  if (code === 0) return { action: 'built', seconds, distBuiltAt: distAt() };
  const firstError = stripVTControlCharacters(output)
    .split('\n')
    .find((l) => /error/i.test(l));
  if (oldestEntry(root) === null) throw new Error(`npm run build failed:\n${output.trim()}`);
  log(
    `npm run build FAILED (${firstError?.trim() ?? `exit ${code}`}); measuring the existing dist`,
  );
  return {
    action: 'build-failed-measured-stale-dist',
    seconds,
    distBuiltAt: distAt(),
    note: firstError?.trim(),
  };
}
