import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

/**
 * `--profile`: where the time goes. The API runs under --cpu-prof (V8 writes the profile
 * when it exits) and a sampler records what the bench database's backends are doing
 * every 20 ms. Both are summarised into the JSON report and printed.
 */

interface CpuNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: CpuNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  percent: number;
}

function owner(url: string, fn: string): string {
  if (!url) return fn || '(anonymous)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0)
    return url
      .slice(dist + 1)
      .split('/')
      .slice(0, 4)
      .join('/');
  return url.startsWith('node:') ? url : url.split('/').slice(-2).join('/');
}

const top = (totals: Map<string, number>, all: number, n: number): Share[] =>
  [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, t]) => ({ name, percent: Math.round((1000 * t) / all) / 10 }));

/** Self time by package (or app library) and by function, as shares of all samples. */
export function summarizeCpuProfiles(dir: string): { byOwner: Share[]; byFunction: Share[] } {
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let all = 0;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const frame = nodes.get(id)!.callFrame;
      if (frame.functionName === '(idle)') return;
      const dt = profile.timeDeltas[i] ?? 0;
      all += dt;
      const who = owner(frame.url, frame.functionName);
      byOwner.set(who, (byOwner.get(who) ?? 0) + dt);
      const fn = `${frame.functionName || '(anonymous)'} ${who}:${frame.lineNumber + 1}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
    });
  }
  return { byOwner: top(byOwner, all, 15), byFunction: top(byFunction, all, 25) };
}

/** Samples pg_stat_activity of one database: which statements its backends are busy with. */
export class DbSampler {
  private readonly counts = new Map<string, number>();
  private samples = 0;
  private timer?: NodeJS.Timeout;
  private client?: Client;

  async start(serverUrl: string, database: string): Promise<void> {
    this.client = new Client({ connectionString: serverUrl, application_name: 'bench-sampler' });
    await this.client.connect();
    let busy = false;
    this.timer = setInterval(() => {
      if (busy) return;
      busy = true;
      this.client!.query<{ what: string }>(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'cpu') || ' | ' ||
                left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS what
           FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()`,
        [database],
      )
        .then(({ rows }) => {
          this.samples++;
          for (const { what } of rows) this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
        })
        .catch(() => undefined)
        .finally(() => (busy = false));
    }, 20);
  }

  /** Average number of backends busy with each statement (1.0 = one core all the time). */
  async stop(): Promise<{ samples: number; busy: Share[] }> {
    clearInterval(this.timer);
    await this.client?.end();
    const busy = [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([name, n]) => ({
        name,
        percent: Math.round((100 * n) / Math.max(1, this.samples)) / 100,
      }));
    return { samples: this.samples, busy };
  }
}
