// A bounded map with second-chance (CLOCK) eviction: `touch` only marks an entry as used, so a hot key costs a
// lookup, not a delete + re-insert; eviction walks from the oldest insertion and gives marked entries another round.
interface Slot<V> { value: V, used: boolean }

export class Lru<K, V> {
  readonly max: number
  evictions = 0
  private readonly slots = new Map<K, Slot<V>>()
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
    this.slots.delete(key)
    this.slots.set(key, { value, used: false })
    let spins = 0
    while (this.slots.size > this.max) {
      const first = this.slots.entries().next()
      if (first.done === true) break
      const [k, s] = first.value
      this.slots.delete(k)
      if (s.used && spins++ < this.max) {
        s.used = false
        this.slots.set(k, s)
        continue
      }
      this.evictions++
      this.onEvict?.(k, s.value)
    }
  }

  delete (key: K): boolean { return this.slots.delete(key) }

  * values (): IterableIterator<V> { for (const s of this.slots.values()) yield s.value }

  * entries (): IterableIterator<[K, V]> { for (const [k, s] of this.slots) yield [k, s.value] }

  * keys (): IterableIterator<K> { yield * this.slots.keys() }
}
