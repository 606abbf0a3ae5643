/**
 * A load process: receives one LoadSpec over IPC, runs it with `concurrency` workers that
 * each take the next request as soon as their previous one answered (a closed loop, like
 * front-desk clients), reports progress every second and the raw result at the end.
 * Runs in its own process so that the client's CPU shows up apart from the server's.
 */
import http from 'node:http';
import { Client } from 'pg';
import type {
  ChildMessage,
  GoMessage,
  HttpLoadSpec,
  HttpRequestSpec,
  LoadResult,
  LoadSpec,
  PgLoadSpec,
} from './protocol';

const SAMPLES = 5;

function post(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

/** Tells the harness, and waits for its 'go' (without a harness, goes on at once). */
function handshake(type: 'measuring' | 'measured'): Promise<void> {
  if (!process.send) return Promise.resolve();
  const go = new Promise<void>((resolve) =>
    process.once('message', (message: GoMessage) => {
      if (message.type === 'go') resolve();
    }),
  );
  return post({ type }).then(() => go);
}

interface Tracker {
  latencies: number[];
  outcomes: number[];
  samples: Record<string, string>;
  returned: string[];
  done: number;
}

function tracker(total: number): Tracker {
  return {
    latencies: new Array<number>(total).fill(-1),
    outcomes: new Array<number>(total).fill(-1),
    samples: {},
    returned: [],
    done: 0,
  };
}

function sample(t: Tracker, key: string, text: string): void {
  if (!(key in t.samples) && Object.keys(t.samples).length < SAMPLES) {
    t.samples[key] = text.slice(0, 400);
  }
}

/** Runs `total` jobs on `concurrency` workers until done or the deadline passes. */
async function closedLoop(
  total: number,
  concurrency: number,
  maxSeconds: number,
  t: Tracker,
  job: (i: number) => Promise<void>,
): Promise<number> {
  const started = performance.now();
  const deadline = started + maxSeconds * 1000;
  const ticker = setInterval(
    () =>
      void post({
        type: 'progress',
        done: t.done,
        total,
        seconds: (performance.now() - started) / 1000,
      }),
    1000,
  );
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= total || performance.now() > deadline) return;
      const t0 = performance.now();
      await job(i);
      t.latencies[i] = performance.now() - t0;
      t.done++;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  } finally {
    clearInterval(ticker);
  }
  return (performance.now() - started) / 1000;
}

/**
 * The measured pass: the harness hears when it starts and ends (to read the servers' CPU
 * over it), and this process' own CPU over it comes back with the result.
 */
async function measured(pass: () => Promise<number>): Promise<{ seconds: number; cpuMs: number }> {
  await handshake('measuring');
  const before = process.cpuUsage();
  const seconds = await pass();
  const used = process.cpuUsage(before);
  await handshake('measured');
  return { seconds, cpuMs: (used.user + used.system) / 1000 };
}

function sender(spec: HttpLoadSpec) {
  const url = new URL(spec.baseUrl);
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: spec.concurrency,
    maxFreeSockets: spec.concurrency,
  });
  return (req: HttpRequestSpec) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
      const request = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: req.method,
          path: req.path,
          headers: {
            authorization: `Bearer ${spec.token}`,
            ...(payload
              ? {
                  'content-type': 'application/json',
                  'content-length': String(Buffer.byteLength(payload)),
                }
              : {}),
            ...req.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
          res.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
}

async function runHttp(spec: HttpLoadSpec): Promise<LoadResult> {
  const send = sender(spec);
  if (spec.warmPath) {
    const warm = { method: 'GET' as const, path: spec.warmPath };
    await Promise.all(Array.from({ length: spec.concurrency }, () => send(warm)));
  }
  const pass = (requests: HttpRequestSpec[], t: Tracker) =>
    closedLoop(requests.length, spec.concurrency, spec.maxSeconds, t, async (i) => {
      try {
        const res = await send(requests[i]);
        t.outcomes[i] = res.status;
        if (res.status >= 300) sample(t, String(res.status), res.body);
      } catch (error) {
        t.outcomes[i] = 0;
        sample(t, 'network', error instanceof Error ? error.message : String(error));
      }
    });
  if (spec.warmRequests?.length) await pass(spec.warmRequests, tracker(spec.warmRequests.length));
  const t = tracker(spec.requests.length);
  const { seconds, cpuMs } = await measured(() => pass(spec.requests, t));
  return {
    latencies: t.latencies,
    outcomes: t.outcomes,
    samples: t.samples,
    returned: [],
    seconds,
    cpuMs,
  };
}

async function runPg(spec: PgLoadSpec): Promise<LoadResult> {
  const clients = await Promise.all(
    Array.from({ length: spec.concurrency }, async () => {
      const client = new Client({
        connectionString: spec.databaseUrl,
        application_name: 'bench-raw',
      });
      await client.connect();
      return client;
    }),
  );
  const free = [...clients];
  const pass = (params: unknown[][], t: Tracker) =>
    closedLoop(params.length, spec.concurrency, spec.maxSeconds, t, async (i) => {
      const client = free.pop()!;
      try {
        const { rows } = await client.query<Record<string, unknown>>(spec.sql, params[i]);
        t.outcomes[i] = rows.length > 0 ? 1 : 0;
        for (const row of rows) t.returned.push(String(Object.values(row)[0]));
      } catch (error) {
        t.outcomes[i] = -1;
        sample(t, 'error', error instanceof Error ? error.message : String(error));
      } finally {
        free.push(client);
      }
    });
  const t = tracker(spec.params.length);
  try {
    if (spec.warmParams?.length) {
      const warm = tracker(spec.warmParams.length);
      await pass(spec.warmParams, warm);
      t.returned.push(...warm.returned);
    }
    const { seconds, cpuMs } = await measured(() => pass(spec.params, t));
    return {
      latencies: t.latencies,
      outcomes: t.outcomes,
      samples: t.samples,
      returned: t.returned,
      seconds,
      cpuMs,
    };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

process.once('message', (spec: LoadSpec) => {
  const run = spec.kind === 'http' ? runHttp(spec) : runPg(spec);
  // Disconnect only once the result is handed over: an early exit would lose it.
  run
    .then((result) => post({ type: 'result', result }))
    .catch((error: unknown) =>
      post({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
    )
    .finally(() => process.disconnect?.());
});
