/** What a batch gives each of its callers: its result, or an error of its own. */
export type BatchOutcome<O> = O | Error;

export interface BatcherOptions {
  /** The most callers one statement serves. */
  maxBatch: number;
  /** Batches running at once; callers arriving meanwhile wait and go in the next one. */
  maxInFlight: number;
}

interface Waiting<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Serves concurrent callers of one statement with fewer, larger statements, as a
 * database's group commit does. A caller joins the callers of the same turn of the event
 * loop; when `maxInFlight` batches are already running it waits for one to finish, and
 * meanwhile more callers join it. An idle server therefore sends each statement at once,
 * and a busy one sends larger batches as the load grows, so that Postgres' cost per
 * statement (its parse, its commit, its round trip) is shared instead of paid per caller.
 *
 * `run` answers each input in order, an Error for an input that failed alone; if `run`
 * itself fails, every caller of that batch gets its error.
 */
export class StatementBatcher<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly run: (inputs: I[]) => Promise<BatchOutcome<O>[]>,
    private readonly options: BatcherOptions,
  ) {}

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    if (this.inFlight >= this.options.maxInFlight) return; // the next finish flushes
    this.scheduled = true;
    // setImmediate runs after this turn's pending I/O callbacks: the requests that arrived
    // together have all asked by then.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.waiting.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight++;
      this.run(batch.map((w) => w.input))
        .then(
          (outcomes) =>
            batch.forEach((w, i) => {
              const outcome = outcomes[i];
              if (outcome instanceof Error) w.reject(outcome);
              else w.resolve(outcome);
            }),
          (error: unknown) => batch.forEach((w) => w.reject(error)),
        )
        .finally(() => {
          this.inFlight--;
          this.schedule();
        });
    }
  }
}
