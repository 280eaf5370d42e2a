// A binary min-heap keyed by string, with O(log n) update and delete by key (upstream's
// internal/heap): what the active and back-off queues are made of.

export class Heap<T> {
  readonly #less: (a: T, b: T) => boolean;
  readonly #keyOf: (item: T) => string;
  readonly #items: T[] = [];
  readonly #index = new Map<string, number>();

  constructor(keyOf: (item: T) => string, less: (a: T, b: T) => boolean) {
    this.#keyOf = keyOf;
    this.#less = less;
  }

  get size(): number {
    return this.#items.length;
  }

  has(key: string): boolean {
    return this.#index.has(key);
  }

  get(key: string): T | undefined {
    const i = this.#index.get(key);
    return i === undefined ? undefined : this.#items[i];
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds the item, or replaces the one with its key and restores order. */
  addOrUpdate(item: T): void {
    const key = this.#keyOf(item);
    const i = this.#index.get(key);
    if (i !== undefined) {
      this.#items[i] = item;
      this.#fix(i);
      return;
    }
    this.#items.push(item);
    this.#index.set(key, this.#items.length - 1);
    this.#up(this.#items.length - 1);
  }

  delete(key: string): T | undefined {
    const i = this.#index.get(key);
    if (i === undefined) return undefined;
    const item = this.#items[i];
    const last = this.#items.length - 1;
    if (i !== last) this.#swap(i, last);
    this.#items.pop();
    this.#index.delete(key);
    if (i !== last) this.#fix(i);
    return item;
  }

  pop(): T | undefined {
    const top = this.#items[0];
    if (top === undefined) return undefined;
    this.delete(this.#keyOf(top));
    return top;
  }

  values(): IterableIterator<T> {
    return this.#items.values();
  }

  #fix(i: number): void {
    if (!this.#down(i)) this.#up(i);
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(this.#items[i], this.#items[parent])) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(start: number): boolean {
    let i = start;
    const n = this.#items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let child = l;
      if (l + 1 < n && this.#less(this.#items[l + 1], this.#items[l])) child = l + 1;
      if (!this.#less(this.#items[child], this.#items[i])) break;
      this.#swap(i, child);
      i = child;
    }
    return i > start;
  }

  #swap(a: number, b: number): void {
    const items = this.#items;
    [items[a], items[b]] = [items[b], items[a]];
    this.#index.set(this.#keyOf(items[a]), a);
    this.#index.set(this.#keyOf(items[b]), b);
  }
}
