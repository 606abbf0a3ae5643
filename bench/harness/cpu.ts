import fs from 'node:fs';
import os from 'node:os';
import { round } from './stats';

/**
 * Where a scenario's CPU went, read from /proc (Linux): the CPU time each kind of process
 * used between start() and stop(), and how busy the machine's cores were meanwhile. It
 * names the bottleneck of a load that misses its latency target: a resource that is
 * already at its limit, or a machine without the cores the target's rate needs.
 *
 * Processes are told apart by their command line: the API (its cluster workers too) and
 * the worker by their entry file, Postgres and Redis by their program name. Every
 * Postgres and Redis process of the machine counts, other clients' too: on a shared
 * server the figures are an upper bound. The load client measures itself
 * (process.cpuUsage); runLoad adds its figure with addLoadClient().
 */
export type CpuRole = 'api' | 'worker' | 'postgres' | 'redis' | 'loadClient' | 'other';

export interface CpuUse {
  /** ms of CPU (user + system) per role; processes that ended meanwhile are missing. */
  byRole: Record<CpuRole, number>;
  /** Share of all cores that was busy, 0–1 (from /proc/stat, every process). */
  busy: number;
  cores: number;
  seconds: number;
}

const TICK_MS = 10; // /proc counts in USER_HZ, 100 per second on Linux

/** The load client is read apart: it measures itself, and may have ended by stop(). */
function role(pid: string): CpuRole {
  const read = (file: string) => {
    try {
      return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
    } catch {
      return '';
    }
  };
  const cmdline = read('cmdline').replace(/\0/g, ' ');
  if (cmdline.includes('bench/load/runner')) return 'loadClient';
  if (cmdline.includes('dist/apps/api/src/main.js')) return 'api';
  if (cmdline.includes('dist/apps/worker/src/main.js')) return 'worker';
  const comm = read('comm').trim();
  if (comm === 'postgres' || cmdline.startsWith('postgres:')) return 'postgres';
  if (comm.startsWith('redis-server')) return 'redis';
  return 'other';
}

/** utime + stime of every process, in ticks; fields after the parenthesised name. */
function processTicks(): Map<string, { role: CpuRole; ticks: number }> {
  const out = new Map<string, { role: CpuRole; ticks: number }>();
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended while listed
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(pid, { role: role(pid), ticks: Number(fields[11]) + Number(fields[12]) });
  }
  return out;
}

/** [busy, total] ticks over all cores. */
function machineTicks(): [number, number] {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1);
  const n = cpu.map(Number);
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = n[3] + n[4]; // idle + iowait
  return [total - idle, total];
}

export const cpuMeasurable = () => fs.existsSync('/proc/stat');

export interface CpuMeter {
  start(): void;
  /** Ends the current window; returns the sum of every window so far. */
  stop(): CpuUse;
  /** The load process' own CPU over a window, in ms. */
  addLoadClient(ms: number): void;
}

/** Measures between start() and stop(); several windows (a scenario's rounds) add up. */
export function cpuMeter(): CpuMeter {
  const byRole: Record<CpuRole, number> = {
    api: 0,
    worker: 0,
    postgres: 0,
    redis: 0,
    loadClient: 0,
    other: 0,
  };
  let busyTicks = 0;
  let allTicks = 0;
  let ms = 0;
  let begun: {
    procs: ReturnType<typeof processTicks>;
    machine: [number, number];
    at: number;
  } | null = null;
  return {
    start() {
      if (!cpuMeasurable()) return;
      begun = { procs: processTicks(), machine: machineTicks(), at: performance.now() };
    },
    stop() {
      if (begun) {
        for (const [pid, now] of processTicks()) {
          if (now.role === 'loadClient') continue;
          const before = begun.procs.get(pid)?.ticks ?? 0; // started meanwhile: all of it
          byRole[now.role] += (now.ticks - before) * TICK_MS;
        }
        const [busy, total] = machineTicks();
        busyTicks += busy - begun.machine[0];
        allTicks += total - begun.machine[1];
        ms += performance.now() - begun.at;
        begun = null;
      }
      return {
        byRole: { ...byRole },
        busy: allTicks ? round(busyTicks / allTicks, 2) : Number.NaN,
        cores: os.cpus().length,
        seconds: round(ms / 1000, 2),
      };
    },
    addLoadClient(clientMs) {
      byRole.loadClient += clientMs;
    },
  };
}

/** CPU per request (booking, race request) by role. */
export function perUnit(use: CpuUse, units: number) {
  const per = (ms: number) => round(ms / units, 2);
  const parts = {
    api: per(use.byRole.api),
    postgres: per(use.byRole.postgres),
    redis: per(use.byRole.redis),
    worker: per(use.byRole.worker),
    loadClient: per(use.byRole.loadClient),
    other: per(use.byRole.other),
  };
  const total = round(
    Object.values(parts).reduce((a, b) => a + b, 0),
    2,
  );
  return { ...parts, total };
}

/** "API 0.72, Postgres 0.92, … ms; the 2 cores 85 % busy", for a row's note. */
export function describeCpu(per: ReturnType<typeof perUnit>, use: CpuUse): string {
  return (
    `API ${per.api}, Postgres ${per.postgres}, Redis ${per.redis}, worker ${per.worker}, ` +
    `load client ${per.loadClient}, other ${per.other} ms; ` +
    `the ${use.cores} cores ${Math.round(100 * use.busy)} % busy`
  );
}
