import { spawn } from 'node:child_process';
import path from 'node:path';
import type { ChildMessage, GoMessage, LoadResult, LoadSpec } from '../load/protocol';
import type { CpuMeter } from './cpu';

export type Progress = (line: string) => void;

const RUNNER = path.join(__dirname, '..', 'load', 'runner.ts');

/** What happens around a load's measured requests (after its warm-up). */
export interface Measure {
  /** Reads the servers' CPU, and takes the load process' own, over the measured requests. */
  cpu?: CpuMeter;
  /** Runs between the warm-up and the measured requests (e.g. undoes the warm-up's writes). */
  beforeMeasuring?: () => Promise<void>;
}

/**
 * Runs a load spec in a child process (the client must not share the harness' event
 * loop, nor hide its CPU inside the server's) and prints its progress as it goes.
 */
export function runLoad(
  label: string,
  spec: LoadSpec,
  progress: Progress,
  measure: Measure = {},
): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', require.resolve('@swc-node/register'), RUNNER], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let settled = false;
    const finish = (error: Error | null, result?: LoadResult) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve(result!);
    };
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'progress') {
        const rate = message.done / Math.max(message.seconds, 0.001);
        progress(
          `${label}: ${message.done}/${message.total} in ${message.seconds.toFixed(0)} s (${rate.toFixed(0)}/s)`,
        );
      } else if (message.type === 'measuring') {
        Promise.resolve(measure.beforeMeasuring?.())
          .then(() => {
            measure.cpu?.start();
            child.send({ type: 'go' } satisfies GoMessage);
          })
          .catch((error: unknown) => {
            finish(error instanceof Error ? error : new Error(String(error)));
            child.kill();
          });
      } else if (message.type === 'measured') {
        measure.cpu?.stop();
        child.send({ type: 'go' } satisfies GoMessage);
      } else if (message.type === 'result') {
        measure.cpu?.addLoadClient(message.result.cpuMs);
        finish(null, message.result);
      } else {
        finish(new Error(`${label}: ${message.message}`));
      }
    });
    child.on('error', (error) => finish(error));
    // 'close', not 'exit': a message sent just before exiting may arrive after 'exit'.
    child.on('close', (code, signal) =>
      finish(new Error(`${label}: load process exited (${signal ?? code}) without a result`)),
    );
    child.send(spec);
  });
}

/** Only the requests that ran (an early stop leaves -1 latencies). */
export function ranLatencies(result: LoadResult): number[] {
  return result.latencies.filter((ms) => ms >= 0);
}

export function countOutcomes(result: LoadResult): Record<string, number> {
  const counts: Record<string, number> = {};
  result.outcomes.forEach((outcome, i) => {
    if (result.latencies[i] < 0) return; // never sent: the run stopped at its time limit
    counts[String(outcome)] = (counts[String(outcome)] ?? 0) + 1;
  });
  return counts;
}
