/**
 * Dynamic micro-batcher, like Triton's dynamic batcher: requests queue up and run together once
 * the queue holds maxBatchSize images or the oldest request has waited maxQueueDelayMs. A request
 * with several images is never split; one larger than maxBatchSize runs as a batch of its own.
 * One batch runs at a time: a single session, on CPU or GPU, is fastest fed one batch after another.
 *
 * Adaptive delay (on by default, off = Triton's exact rule): when no other request is on its way in
 * (being received or decoded), nothing can join the batch, so it runs at once instead of waiting
 * out the delay. Lone requests then pay no batching latency; busy periods still batch.
 */
import type { EncoderOutput } from "./encoder.js";

export interface BatcherOptions {
  maxBatchSize: number;
  maxQueueDelayMs: number;
  /** How many requests are admitted but not yet submitted; enables the adaptive delay. */
  arriving?: () => number;
}

export type RunBatch = (batch: Float32Array, count: number) => Promise<EncoderOutput[]>;

export interface BatchResult {
  outputs: EncoderOutput[];
  queueMs: number;
  batchSize: number;
}

interface Job {
  data: Float32Array;
  count: number;
  enqueuedAt: number;
  resolve: (r: BatchResult) => void;
  reject: (err: unknown) => void;
}

export interface BatchObserver {
  onBatch(size: number, runSeconds: number): void;
  onDequeue(waitSeconds: number): void;
}

export class Batcher {
  private readonly queue: Job[] = [];
  private queuedImages = 0;
  private running = false;
  private flushing = false;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly options: BatcherOptions,
    private readonly runBatch: RunBatch,
    private readonly observer?: BatchObserver,
  ) {}

  get depthRequests(): number {
    return this.queue.length;
  }

  get depthImages(): number {
    return this.queuedImages;
  }

  /** Queue `count` preprocessed images; aborting the signal takes them out if they have not run yet. */
  submit(data: Float32Array, count: number, signal?: AbortSignal): Promise<BatchResult> {
    return new Promise<BatchResult>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const job: Job = { data, count, enqueuedAt: performance.now(), resolve, reject };
      signal?.addEventListener(
        "abort",
        () => {
          const at = this.queue.indexOf(job);
          if (at < 0) return; // already running: its result is simply dropped by the caller
          this.queue.splice(at, 1);
          this.queuedImages -= job.count;
          reject(signal.reason);
          this.notifyIdle();
        },
        { once: true },
      );
      this.queue.push(job);
      this.queuedImages += count;
      this.schedule();
    });
  }

  /** Re-check the queue: call when a request that was on its way in will not arrive after all. */
  poke(): void {
    this.schedule();
  }

  /** Run everything queued without waiting for batches to fill, then resolve (graceful shutdown). */
  async drain(): Promise<void> {
    this.flushing = true;
    this.schedule();
    if (!this.running && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    if (this.running || this.queue.length > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private schedule(): void {
    if (this.running || this.queue.length === 0) return;
    const oldest = this.queue[0];
    if (!oldest) return;
    const waited = performance.now() - oldest.enqueuedAt;
    const nobodyComing = this.options.arriving !== undefined && this.options.arriving() === 0;
    if (this.flushing || nobodyComing || this.queuedImages >= this.options.maxBatchSize || waited >= this.options.maxQueueDelayMs) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      void this.dispatch();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.schedule();
      }, Math.max(0, this.options.maxQueueDelayMs - waited));
    }
  }

  private take(): Job[] {
    const jobs: Job[] = [];
    let images = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (!next || (jobs.length > 0 && images + next.count > this.options.maxBatchSize)) break;
      this.queue.shift();
      jobs.push(next);
      images += next.count;
    }
    this.queuedImages -= images;
    return jobs;
  }

  private async dispatch(): Promise<void> {
    const jobs = this.take();
    const first = jobs[0];
    if (!first) return;
    this.running = true;
    const started = performance.now();
    const count = jobs.reduce((n, j) => n + j.count, 0);
    for (const j of jobs) this.observer?.onDequeue((started - j.enqueuedAt) / 1000);
    try {
      const batch = jobs.length === 1 ? first.data : concat(jobs.map((j) => j.data));
      const outputs = await this.runBatch(batch, count);
      this.observer?.onBatch(count, (performance.now() - started) / 1000);
      let offset = 0;
      for (const job of jobs) {
        const sliced = outputs.map((o) => {
          const per = o.shape.reduce((a, b) => a * b, 1);
          return { ...o, data: o.data.subarray(offset * per, (offset + job.count) * per) };
        });
        job.resolve({ outputs: sliced, queueMs: started - job.enqueuedAt, batchSize: count });
        offset += job.count;
      }
    } catch (err) {
      for (const job of jobs) job.reject(err);
    } finally {
      this.running = false;
      this.schedule();
      this.notifyIdle();
    }
  }
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
