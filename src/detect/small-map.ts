// A string-keyed map for the few keys a port or a storm has (the nodes that claim it: two or three, rarely more).
// Up to LINEAR_MAX keys it is two parallel arrays searched front to back: the detector hands every rule the same
// string object for a node, so each comparison is mostly an identity check, cheaper than hashing into a Map. Past
// that it moves to a Map, so a port fought over by hundreds of nodes stays O(1).
const LINEAR_MAX = 8

/**
 * `s` as the engine's own internalized string, the same characters (property keys are internalized). Two different
 * internalized strings compare unequal without reading their characters, so the strings compared on every event
 * (node names) are made so once; and a property key the engine already holds is not looked up again when an
 * object is built with it (the hand-off pair labels of every storm update).
 */
export function internalized (s: string): string {
  return Object.keys({ [s]: 0 })[0] as string
}

export class SmallMap<V> {
  private keyList: string[] = []
  private valueList: V[] = []
  private map: Map<string, V> | null = null

  get size (): number { return this.map === null ? this.keyList.length : this.map.size }

  get (key: string): V | undefined {
    if (this.map !== null) return this.map.get(key)
    const keys = this.keyList
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return this.valueList[i]
    return undefined
  }

  set (key: string, value: V): void {
    if (this.map !== null) { this.map.set(key, value); return }
    const keys = this.keyList
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === key) { this.valueList[i] = value; return }
    }
    if (keys.length < LINEAR_MAX) {
      keys.push(key)
      this.valueList.push(value)
      return
    }
    this.map = new Map()
    for (let i = 0; i < keys.length; i++) this.map.set(keys[i] as string, this.valueList[i] as V)
    this.map.set(key, value)
    this.keyList = []
    this.valueList = []
  }

  /** Keys in insertion order. */
  keys (): string[] { return this.map === null ? this.keyList.slice() : [...this.map.keys()] }

  /** [key, value] pairs in insertion order. */
  entries (): Array<[string, V]> {
    if (this.map !== null) return [...this.map]
    const out: Array<[string, V]> = []
    for (let i = 0; i < this.keyList.length; i++) out.push([this.keyList[i] as string, this.valueList[i] as V])
    return out
  }

  values (): V[] { return this.map === null ? this.valueList.slice() : [...this.map.values()] }
}
