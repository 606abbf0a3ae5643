import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/** How long workers get to finish their requests and close their pools after SIGTERM. */
const STOP_GRACE_MS = 25_000;
/** A worker that dies sooner than this after starting is restarted after a growing pause. */
const HEALTHY_AFTER_MS = 30_000;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * API_PROCESSES > 1: this process serves nothing itself. It forks that many API workers,
 * which share the listening port through node:cluster (the primary hands each new
 * connection to the next worker), replaces a worker that dies, and on SIGTERM or SIGINT
 * passes SIGTERM to every worker (each closes its server, pools and queues as a single
 * API would) and exits once they all have.
 */
export function superviseApiProcesses(processes: number, logger: Logger): void {
  let stopping = false;
  let restartDelay = 0;
  const startedAt = new Map<Worker, number>();
  const fork = () => startedAt.set(cluster.fork(), Date.now());
  const alive = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (alive().length === 0) process.exit(0);
      return;
    }
    // A worker that crashes at once (a bad deployment, the database away) would
    // otherwise be restarted in a tight loop.
    restartDelay =
      lived < HEALTHY_AFTER_MS
        ? Math.min(Math.max(2 * restartDelay, 500), MAX_RESTART_DELAY_MS)
        : 0;
    logger.error(
      { pid: worker.process.pid, code, signal, restartInMs: restartDelay },
      'API worker exited; starting another',
    );
    setTimeout(() => {
      if (!stopping) fork();
    }, restartDelay);
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: alive().length }, 'stopping API workers');
    if (alive().length === 0) process.exit(0);
    for (const worker of alive()) worker.process.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of alive()) worker.process.kill('SIGKILL');
      logger.error('API workers did not stop in time: killed');
      process.exit(1);
    }, STOP_GRACE_MS).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  for (let i = 0; i < processes; i++) fork();
  logger.info({ workers: processes }, 'API workers started');
}
