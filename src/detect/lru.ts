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
  private readonly queueSeqs: number[] = []
  private clock = 0
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

  /**
   * Adds an entry, evicting beyond `max`. `seq` places it in the eviction queue: by default the next number of an
   * internal counter; a caller that passes it (see `headSeq`) must pass it on every add and step.
   */
  add (key: K, value: V, seq = ++this.clock): void {
    const slot: Slot<V> = { value, used: false }
    this.slots.set(key, slot)
    this.enqueue(key, slot, seq)
    let spins = 0
    while (this.slots.size > this.max && this.head < this.queueKeys.length) {
      if (this.evictStep(seq, spins++ < this.max)) break
    }
  }

  /**
   * One step of the CLOCK hand: the entry at the head of the queue gets its second chance (re-queued at `seq`,
   * when `spare` and it was used since) or is evicted. Returns whether an entry was evicted.
   */
  evictStep (seq: number, spare = true): boolean {
    while (this.head < this.queueKeys.length) {
      const k = this.queueKeys[this.head] as K
      const s = this.queueSlots[this.head] as Slot<V>
      this.head++
      this.compact()
      // A stale queue entry: the key was deleted or re-added since.
      if (this.slots.get(k) !== s) continue
      if (s.used && spare) {
        s.used = false
        this.enqueue(k, s, seq)
        return false
      }
      this.slots.delete(k)
      this.evictions++
      this.onEvict?.(k, s.value)
      return true
    }
    return false
  }

  /** The queue position of the next entry the hand reaches (stale entries skipped), Infinity when empty. */
  headSeq (): number {
    while (this.head < this.queueKeys.length) {
      if (this.slots.get(this.queueKeys[this.head] as K) === this.queueSlots[this.head]) return this.queueSeqs[this.head] as number
      this.head++
      this.compact()
    }
    return Infinity
  }

  delete (key: K): boolean { return this.slots.delete(key) }

  * values (): IterableIterator<V> { for (const s of this.slots.values()) yield s.value }

  * entries (): IterableIterator<[K, V]> { for (const [k, s] of this.slots) yield [k, s.value] }

  * keys (): IterableIterator<K> { yield * this.slots.keys() }

  private enqueue (k: K, s: Slot<V>, seq: number): void {
    this.queueKeys.push(k)
    this.queueSlots.push(s)
    this.queueSeqs.push(seq)
  }

  private compact (): void {
    if (this.head > 1024 && this.head * 2 > this.queueKeys.length) {
      dropFront(this.queueKeys, this.head)
      dropFront(this.queueSlots, this.head)
      dropFront(this.queueSeqs, this.head)
      this.head = 0
    }
  }
}
