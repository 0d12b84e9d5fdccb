/**
 * A small least-recently-used map: image embeddings (one per image and pack) and recent proposals' logits
 * are held for the clicks that follow, and the oldest go when a few newer ones arrived.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly capacity: number, private readonly onEvict?: (value: V) => void) {
    if (capacity < 1) throw new Error('LRU capacity must be at least 1.');
  }

  get size(): number { return this.map.size; }

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) { this.map.delete(key); this.map.set(key, v); }
    return v;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) {
      const [oldest, v] = this.map.entries().next().value as [K, V];
      this.map.delete(oldest);
      this.onEvict?.(v);
    }
  }

  delete(key: K): void { this.map.delete(key); }

  clear(): void { this.map.clear(); }
}
