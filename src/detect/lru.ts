// A Map kept in recency order: `touch` moves a key to the back, `add` evicts from the front past `max`.
export class Lru<K, V> {
  readonly max: number
  readonly map = new Map<K, V>()
  evictions = 0
  private readonly onEvict: ((key: K, value: V) => void) | undefined

  constructor (max: number, onEvict?: (key: K, value: V) => void) {
    this.max = max
    this.onEvict = onEvict
  }

  get size (): number { return this.map.size }

  /** The value, moved to the most-recent end. */
  touch (key: K): V | undefined {
    const v = this.map.get(key)
    if (v !== undefined) {
      this.map.delete(key)
      this.map.set(key, v)
    }
    return v
  }

  peek (key: K): V | undefined { return this.map.get(key) }

  add (key: K, value: V): void {
    this.map.delete(key)
    this.map.set(key, value)
    while (this.map.size > this.max) {
      const first = this.map.keys().next()
      if (first.done === true) break
      const k = first.value
      const old = this.map.get(k) as V
      this.map.delete(k)
      this.evictions++
      this.onEvict?.(k, old)
    }
  }

  delete (key: K): boolean { return this.map.delete(key) }
  values (): IterableIterator<V> { return this.map.values() }
}
