// Ports seen in exactly one claim act, packed into typed arrays instead of an object graph per port.
//
// A flood of distinct ports (a restart, a mass migration, a resync) claims each port once. One act can be no
// storm, flap or load (each needs two acts of a port or more), so all a port needs until its second act is the
// act itself: time, claimer, previous owner, two flags. Kept as a PortState with its act list, Map entry and
// key string, that costs ~400 bytes; here it costs ~70, and a UUID name (Neutron port ids, `cr-lrp-<uuid>`)
// is stored as its 16 bytes rather than as a string. The second act (or a release) promotes the port to a
// full PortState (claims.ts).
//
//   slots:  words[4s..4s+3] kind  hash  t  node  prev  flags  seq   older/newer (arrival order, oldest first)
//   index:  open addressing, linear probing, slot + 1 per bucket (0 = empty), backward-shift deletion
//
// `seq` is the owner's act counter at the act: claims.ts compares it with the full ports' CLOCK queue to evict
// the least recently used port of either kind.

const KIND_FREE = 0
/** 36-character lowercase UUID. */
const KIND_UUID = 1
/** `cr-lrp-` + lowercase UUID (a distributed gateway port's chassisredirect port). */
const KIND_CR_LRP = 2
/** Any other name, kept as a string. */
const KIND_NAME = 3

const CR_LRP = 'cr-lrp-'
const HEX = '0123456789abcdef'

/** Bit of `flags`: the act changed the port's owner. */
export const FIRST_ACT_HANDOFF = 1
/** Bit of `flags`: the act was a `Changing chassis …` line (a contested claim). */
export const FIRST_ACT_CONTESTED = 2

function hexValue (c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 97 && c <= 102) return c - 87
  return -1
}

/** Murmur3's 32-bit finaliser: spreads sequential ids over the whole table. */
function mix (h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

export class FirstActs {
  /** Live ports. */
  size = 0
  private cap: number
  private readonly maxCap: number
  private words: Uint32Array
  private kinds: Uint8Array
  private hashes: Uint32Array
  private times: Float64Array
  private seqs: Float64Array
  private flagBits: Uint8Array
  private older: Int32Array
  private newer: Int32Array
  private nodes: string[]
  private prevs: Array<string | null>
  /** Slot → name, for KIND_NAME slots only. */
  private readonly names = new Map<number, string>()
  private index: Int32Array
  private mask: number
  /** Free slots, as a stack through `older`. */
  private free = -1
  /** Slots never used yet start here. */
  private fresh = 0
  private oldestSlot = -1
  private newestSlot = -1
  // The key of the last `encode`.
  private k0 = 0
  private k1 = 0
  private k2 = 0
  private k3 = 0
  private kKind = KIND_FREE
  private kHash = 0
  /** The name last encoded: `add` right after a `find` of the same name does not encode it again. */
  private kName = ''
  private readonly chars: number[] = new Array<number>(CR_LRP.length + 36).fill(0)

  /** `maxPorts`: the most ports ever held at once (the caller evicts before it adds beyond it). */
  constructor (maxPorts: number, initialCapacity = 1024) {
    this.maxCap = Math.max(1, maxPorts)
    this.cap = Math.min(this.maxCap, initialCapacity)
    this.words = new Uint32Array(this.cap * 4)
    this.kinds = new Uint8Array(this.cap)
    this.hashes = new Uint32Array(this.cap)
    this.times = new Float64Array(this.cap)
    this.seqs = new Float64Array(this.cap)
    this.flagBits = new Uint8Array(this.cap)
    this.older = new Int32Array(this.cap)
    this.newer = new Int32Array(this.cap)
    this.nodes = new Array<string>(this.cap).fill('')
    this.prevs = new Array<string | null>(this.cap).fill(null)
    this.index = new Int32Array(FirstActs.indexSize(this.cap))
    this.mask = this.index.length - 1
  }

  /** A power of two at least twice the slots: probes stay short. */
  private static indexSize (cap: number): number {
    let n = 16
    while (n < cap * 2) n *= 2
    return n
  }

  /** The slot of `lport`, or -1. */
  find (lport: string): number {
    this.encode(lport)
    for (let b = this.kHash & this.mask; ; b = (b + 1) & this.mask) {
      const e = this.index[b] as number
      if (e === 0) return -1
      if (this.matches(e - 1, lport)) return e - 1
    }
  }

  /** Adds `lport` (not present: `find` returned -1 for it just before) and returns its slot. */
  add (lport: string, t: number, node: string, prev: string | null, flags: number, seq: number): number {
    if (lport !== this.kName) this.encode(lport)
    if (this.free === -1 && this.fresh === this.cap) this.grow()
    let s: number
    if (this.free !== -1) { s = this.free; this.free = this.older[s] as number } else s = this.fresh++
    const w = s * 4
    this.words[w] = this.k0
    this.words[w + 1] = this.k1
    this.words[w + 2] = this.k2
    this.words[w + 3] = this.k3
    this.kinds[s] = this.kKind
    if (this.kKind === KIND_NAME) this.names.set(s, lport)
    this.hashes[s] = this.kHash
    this.times[s] = t
    this.seqs[s] = seq
    this.flagBits[s] = flags
    this.nodes[s] = node
    this.prevs[s] = prev
    // Newest end of the arrival list.
    this.older[s] = this.newestSlot
    this.newer[s] = -1
    if (this.newestSlot !== -1) this.newer[this.newestSlot] = s
    else this.oldestSlot = s
    this.newestSlot = s
    let b = this.kHash & this.mask
    while (this.index[b] !== 0) b = (b + 1) & this.mask
    this.index[b] = s + 1
    this.size++
    return s
  }

  /** Removes a live slot. */
  remove (s: number): void {
    // Out of the index, shifting back the entries that probed past its bucket.
    let b = (this.hashes[s] as number) & this.mask
    while (this.index[b] !== s + 1) b = (b + 1) & this.mask
    for (let next = (b + 1) & this.mask; ; next = (next + 1) & this.mask) {
      const e = this.index[next] as number
      if (e === 0) break
      const home = (this.hashes[e - 1] as number) & this.mask
      // Move `e` into the hole unless its home lies cyclically in (hole, next].
      if (((next - home) & this.mask) >= ((next - b) & this.mask)) { this.index[b] = e; b = next }
    }
    this.index[b] = 0
    // Out of the arrival list.
    const o = this.older[s] as number
    const n = this.newer[s] as number
    if (o !== -1) this.newer[o] = n
    else this.oldestSlot = n
    if (n !== -1) this.older[n] = o
    else this.newestSlot = o
    if (this.kinds[s] === KIND_NAME) this.names.delete(s)
    this.kinds[s] = KIND_FREE
    this.nodes[s] = ''
    this.prevs[s] = null
    this.older[s] = this.free
    this.free = s
    this.size--
  }

  /** The port that arrived first, or -1. */
  oldest (): number { return this.oldestSlot }
  /** The port that arrived last, or -1. */
  newest (): number { return this.newestSlot }
  /** The next older port than `s`, or -1. */
  olderThan (s: number): number { return this.older[s] as number }

  time (s: number): number { return this.times[s] as number }
  seq (s: number): number { return this.seqs[s] as number }
  flags (s: number): number { return this.flagBits[s] as number }
  node (s: number): string { return this.nodes[s] as string }
  prev (s: number): string | null { return this.prevs[s] as string | null }

  /** The port's name, rebuilt from its bytes for a UUID name. */
  name (s: number): string {
    const kind = this.kinds[s] as number
    if (kind === KIND_NAME) return this.names.get(s) as string
    const chars = this.chars
    let at = 0
    if (kind === KIND_CR_LRP) for (; at < CR_LRP.length; at++) chars[at] = CR_LRP.charCodeAt(at)
    let nibble = 0
    for (let i = 0; i < 36; i++) {
      if (i === 8 || i === 13 || i === 18 || i === 23) { chars[at++] = 45; continue }
      const word = this.words[s * 4 + (nibble >>> 3)] as number
      chars[at++] = HEX.charCodeAt((word >>> (28 - 4 * (nibble & 7))) & 15)
      nibble++
    }
    return String.fromCharCode.apply(null, at === chars.length ? chars : chars.slice(0, at))
  }

  /** Sets k0…k3, kKind and kHash for `lport`. */
  private encode (lport: string): void {
    this.kName = lport
    const len = lport.length
    let off = -1
    if (len === 36) off = 0
    else if (len === 36 + CR_LRP.length && lport.startsWith(CR_LRP)) off = CR_LRP.length
    if (off !== -1 && this.packUuid(lport, off)) {
      this.kKind = off === 0 ? KIND_UUID : KIND_CR_LRP
      this.kHash = mix(this.k0 ^ mix(this.k1 ^ mix(this.k2 ^ mix(this.k3 ^ this.kKind))))
      return
    }
    this.kKind = KIND_NAME
    this.k0 = this.k1 = this.k2 = this.k3 = 0
    this.kHash = this.hashOf(lport)
  }

  /** FNV-1a over the code units, for names that are not UUIDs. */
  private hashOf (lport: string): number {
    let h = 0x811c9dc5
    for (let i = 0; i < lport.length; i++) h = Math.imul(h ^ lport.charCodeAt(i), 0x01000193)
    return mix(h)
  }

  private packUuid (s: string, off: number): boolean {
    let word = 0
    let nibble = 0
    for (let i = 0; i < 36; i++) {
      const c = s.charCodeAt(off + i)
      if (i === 8 || i === 13 || i === 18 || i === 23) { if (c !== 45) return false; continue }
      const v = hexValue(c)
      if (v < 0) return false
      word = (word << 4) | v
      if ((++nibble & 7) === 0) {
        const k = (nibble >>> 3) - 1
        if (k === 0) this.k0 = word >>> 0
        else if (k === 1) this.k1 = word >>> 0
        else if (k === 2) this.k2 = word >>> 0
        else this.k3 = word >>> 0
        word = 0
      }
    }
    return true
  }

  private matches (s: number, lport: string): boolean {
    if (this.hashes[s] !== this.kHash || this.kinds[s] !== this.kKind) return false
    if (this.kKind === KIND_NAME) return this.names.get(s) === lport
    const w = s * 4
    return this.words[w] === this.k0 && this.words[w + 1] === this.k1 && this.words[w + 2] === this.k2 && this.words[w + 3] === this.k3
  }

  /** Doubles the slots (up to the most ever needed) and rebuilds the index. */
  private grow (): void {
    const cap = Math.min(this.maxCap, this.cap * 2)
    if (cap === this.cap) throw new Error('FirstActs: full (the caller evicts before it adds)')
    const widen = <T extends Uint32Array | Uint8Array | Float64Array | Int32Array>(a: T, per: number, make: new (n: number) => T): T => {
      const b = new make(cap * per)
      b.set(a)
      return b
    }
    this.words = widen(this.words, 4, Uint32Array)
    this.kinds = widen(this.kinds, 1, Uint8Array)
    this.hashes = widen(this.hashes, 1, Uint32Array)
    this.times = widen(this.times, 1, Float64Array)
    this.seqs = widen(this.seqs, 1, Float64Array)
    this.flagBits = widen(this.flagBits, 1, Uint8Array)
    this.older = widen(this.older, 1, Int32Array)
    this.newer = widen(this.newer, 1, Int32Array)
    for (let i = this.cap; i < cap; i++) { this.nodes.push(''); this.prevs.push(null) }
    this.cap = cap
    this.index = new Int32Array(FirstActs.indexSize(cap))
    this.mask = this.index.length - 1
    for (let s = 0; s < this.fresh; s++) {
      if (this.kinds[s] === KIND_FREE) continue
      let b = (this.hashes[s] as number) & this.mask
      while (this.index[b] !== 0) b = (b + 1) & this.mask
      this.index[b] = s + 1
    }
  }
}
