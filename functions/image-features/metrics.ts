/**
 * Prometheus metrics in the text exposition format (version 0.0.4), without a client library:
 * requests by route and status, batch sizes, queue/preprocess/inference times, queue depth, and an
 * info gauge naming the execution provider that actually loaded.
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

export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (value <= (this.buckets[i] ?? Infinity)) this.counts[i] = (this.counts[i] ?? 0) + 1;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((le, i) => lines.push(`${this.name}_bucket{le="${le}"} ${this.counts[i] ?? 0}`));
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
    return lines;
  }
}

function gauge(name: string, help: string, samples: [Labels, number][]): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...samples.map(([labels, v]) => `${name}${labelText(labels)} ${v}`)];
}

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface Gauges {
  queueDepthRequests(): number;
  queueDepthImages(): number;
  inflightRequests(): number;
}

export class Metrics {
  readonly requests = new Counter("image_features_requests_total", "HTTP requests by route and status code.");
  readonly images = new Counter("image_features_images_total", "Images encoded.");
  readonly batchSize: Histogram;
  readonly queueSeconds = new Histogram("image_features_queue_seconds", "Time an infer request waited in the batch queue.", SECONDS);
  readonly preprocessSeconds = new Histogram("image_features_preprocess_seconds", "Time to decode and preprocess a request's images.", SECONDS);
  readonly inferenceSeconds = new Histogram("image_features_inference_seconds", "Time of one encoder run (one batch).", SECONDS);
  readonly requestSeconds = new Histogram("image_features_request_seconds", "Infer request latency inside the server.", SECONDS);
  private gauges: Gauges | undefined;
  private info: Labels | undefined;

  constructor(maxBatchSize: number) {
    const buckets = [1, 2, 4, 8, 16, 32, 64, 128, 256].filter((b) => b < maxBatchSize);
    this.batchSize = new Histogram("image_features_batch_size", "Images per encoder run.", [...buckets, maxBatchSize]);
  }

  setGauges(gauges: Gauges): void {
    this.gauges = gauges;
  }

  /** Info gauge labels: execution provider, model name and version. */
  setInfo(labels: Labels): void {
    this.info = labels;
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
    if (this.gauges) {
      lines.push(...gauge("image_features_queue_depth", "Infer requests waiting in the batch queue.", [[{}, this.gauges.queueDepthRequests()]]));
      lines.push(...gauge("image_features_queue_depth_images", "Images waiting in the batch queue.", [[{}, this.gauges.queueDepthImages()]]));
      lines.push(...gauge("image_features_inflight_requests", "Admitted infer requests (decoding, queued or running).", [[{}, this.gauges.inflightRequests()]]));
    }
    // Standard process metrics; CPU covers every thread (HTTP, libvips decoding, the encoder worker).
    const cpu = process.cpuUsage();
    lines.push(...gauge("process_resident_memory_bytes", "Resident memory size in bytes.", [[{}, process.memoryUsage.rss()]]));
    lines.push("# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.", "# TYPE process_cpu_seconds_total counter");
    lines.push(`process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`);
    if (this.info) lines.push(...gauge("image_features_execution_provider_info", "Execution provider that loaded the model (value is 1).", [[this.info, 1]]));
    return `${lines.join("\n")}\n`;
  }
}
