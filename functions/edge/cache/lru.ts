/**
 * A bounded least-recently-used map, limited by entry count and by total bytes, because an isolate
 * has 128 MB for everything. A Map keeps insertion order, so the first key is the oldest.
 */
export class LruCache<V> {
  private readonly map = new Map<string, { value: V; bytes: number }>();
  private totalBytes = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
    private readonly sizeOf: (value: V) => number,
  ) {}

  get size(): number {
    return this.map.size;
  }
  get bytes(): number {
    return this.totalBytes;
  }

  get(key: string): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    this.map.delete(key); // re-insert: now the most recently used
    this.map.set(key, hit);
    return hit.value;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  set(key: string, value: V): void {
    const bytes = this.sizeOf(value);
    if (bytes > this.maxBytes) return; // would evict everything and still not fit
    this.delete(key);
    this.map.set(key, { value, bytes });
    this.totalBytes += bytes;
    while (this.map.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const old = this.map.get(key);
    if (!old) return;
    this.map.delete(key);
    this.totalBytes -= old.bytes;
  }

  clear(): void {
    this.map.clear();
    this.totalBytes = 0;
  }
}
