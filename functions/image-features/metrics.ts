/**
 * Prometheus metrics in the text exposition format (version 0.0.4), without a client library:
 * requests by route, model and status, and per model: items, batch sizes, queue/preprocess/
 * inference times, queue depth, and an info gauge naming the execution provider that loaded.
 */

type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }

  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.value ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${labelText(labels)} ${value}`);
    return lines;
  }
}

interface Series {
  labels: Labels;
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram {
  private readonly series = new Map<string, Series>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  observe(value: number, labels: Labels = {}): void {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    s.sum += value;
    s.count++;
    for (let i = 0; i < this.buckets.length; i++) if (value <= (this.buckets[i] ?? Infinity)) s.counts[i] = (s.counts[i] ?? 0) + 1;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      const with_ = (extra: Labels) => labelText({ ...s.labels, ...extra });
      this.buckets.forEach((le, i) => lines.push(`${this.name}_bucket${with_({ le: String(le) })} ${s.counts[i] ?? 0}`));
      lines.push(`${this.name}_bucket${with_({ le: "+Inf" })} ${s.count}`, `${this.name}_sum${labelText(s.labels)} ${s.sum}`, `${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines;
  }
}

function gauge(name: string, help: string, samples: [Labels, number][]): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...samples.map(([labels, v]) => `${name}${labelText(labels)} ${v}`)];
}

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** What each served model reports about itself at scrape time. */
export interface ModelGauges {
  labels: Labels;
  /** provider, model id and version labels of the info gauge. */
  info: Labels;
  queueDepthRequests(): number;
  queueDepthImages(): number;
  inflightRequests(): number;
}

export class Metrics {
  readonly requests = new Counter("image_features_requests_total", "HTTP requests by route, model and status code.");
  readonly images = new Counter("image_features_images_total", "Items (images, audio clips) encoded, by model.");
  readonly batchSize = new Histogram("image_features_batch_size", "Items per encoder run, by model.", BATCH);
  readonly queueSeconds = new Histogram("image_features_queue_seconds", "Time an infer request waited in its model's batch queue.", SECONDS);
  readonly preprocessSeconds = new Histogram("image_features_preprocess_seconds", "Time to decode and preprocess a request's items, by model.", SECONDS);
  readonly inferenceSeconds = new Histogram("image_features_inference_seconds", "Time of one encoder run (one batch), by model.", SECONDS);
  readonly requestSeconds = new Histogram("image_features_request_seconds", "Infer request latency inside the server, by model.", SECONDS);
  private readonly models: ModelGauges[] = [];

  addModel(g: ModelGauges): void {
    this.models.push(g);
  }

  render(): string {
    const lines = [
      ...this.requests.render(),
      ...this.images.render(),
      ...this.batchSize.render(),
      ...this.queueSeconds.render(),
      ...this.preprocessSeconds.render(),
      ...this.inferenceSeconds.render(),
      ...this.requestSeconds.render(),
    ];
    const each = (f: (g: ModelGauges) => number): [Labels, number][] => this.models.map((g) => [g.labels, f(g)]);
    lines.push(...gauge("image_features_queue_depth", "Infer requests waiting in the batch queue.", each((g) => g.queueDepthRequests())));
    lines.push(...gauge("image_features_queue_depth_images", "Items waiting in the batch queue.", each((g) => g.queueDepthImages())));
    lines.push(...gauge("image_features_inflight_requests", "Admitted infer requests (decoding, queued or running).", each((g) => g.inflightRequests())));
    // Standard process metrics; CPU covers every thread (HTTP, decoding, the encoder workers).
    const cpu = process.cpuUsage();
    lines.push(...gauge("process_resident_memory_bytes", "Resident memory size in bytes.", [[{}, process.memoryUsage.rss()]]));
    lines.push("# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.", "# TYPE process_cpu_seconds_total counter");
    lines.push(`process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`);
    lines.push(...gauge("image_features_execution_provider_info", "Execution provider that loaded each model (value is 1).", this.models.map((g) => [{ ...g.labels, ...g.info }, 1])));
    return `${lines.join("\n")}\n`;
  }
}
