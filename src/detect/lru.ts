// A bounded map with second-chance (CLOCK) eviction: `touch` only marks an entry as used, so a hot key costs a
// lookup, not a delete + re-insert. Eviction order is kept in a FIFO array of its own: walking a Map from its
// front after many deletions skips every tombstone V8 has not compacted yet, which made eviction O(n).
interface Slot<V> { value: V, used: boolean }

/** Drops the first `n` items in place (`splice` would also allocate an array of the removed ones). */
export function dropFront (arr: unknown[], n: number): void {
  // A plain loop: Array#copyWithin is generic (per-element property access) and far slower.
  const len = arr.length
  for (let i = n; i < len; i++) arr[i - n] = arr[i]
  arr.length = len - n
}

export class Lru<K, V> {
  readonly max: number
  evictions = 0
  private readonly slots = new Map<K, Slot<V>>()
  private readonly queueKeys: K[] = []
  private readonly queueSlots: Array<Slot<V>> = []
  private head = 0
  private readonly onEvict: ((key: K, value: V) => void) | undefined

  constructor (max: number, onEvict?: (key: K, value: V) => void) {
    this.max = max
    this.onEvict = onEvict
  }

  get size (): number { return this.slots.size }

  /** The value, marked as recently used. */
  touch (key: K): V | undefined {
    const s = this.slots.get(key)
    if (s === undefined) return undefined
    s.used = true
    return s.value
  }

  peek (key: K): V | undefined { return this.slots.get(key)?.value }

  add (key: K, value: V): void {
    const slot: Slot<V> = { value, used: false }
    this.slots.set(key, slot)
    this.enqueue(key, slot)
    let spins = 0
    while (this.slots.size > this.max && this.head < this.queueKeys.length) {
      const k = this.queueKeys[this.head] as K
      const s = this.queueSlots[this.head] as Slot<V>
      this.head++
      // A stale queue entry: the key was deleted or re-added since.
      if (this.slots.get(k) !== s) continue
      if (s.used && spins++ < this.max) {
        s.used = false
        this.enqueue(k, s)
        continue
      }
      this.slots.delete(k)
      this.evictions++
      this.onEvict?.(k, s.value)
    }
    if (this.head > 1024 && this.head * 2 > this.queueKeys.length) {
      dropFront(this.queueKeys, this.head)
      dropFront(this.queueSlots, this.head)
      this.head = 0
    }
  }

  delete (key: K): boolean { return this.slots.delete(key) }

  * values (): IterableIterator<V> { for (const s of this.slots.values()) yield s.value }

  * entries (): IterableIterator<[K, V]> { for (const [k, s] of this.slots) yield [k, s.value] }

  * keys (): IterableIterator<K> { yield * this.slots.keys() }

  private enqueue (k: K, s: Slot<V>): void {
    this.queueKeys.push(k)
    this.queueSlots.push(s)
  }
}
