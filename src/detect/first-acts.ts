// Ports seen in exactly one claim act, packed into typed arrays instead of an object graph per port.
//
// A flood of distinct ports (a restart, a mass migration, a resync) claims each port once. One act can be no
// storm, flap or load (each needs two acts of a port or more), so all a port needs until its second act is the
// act itself: time, claimer, previous owner, two flags. Kept as a PortState with its act list, Map entry and
// key string, that costs ~400 bytes; here it costs ~70, and a UUID name (Neutron port ids, `cr-lrp-<uuid>`)
// is stored as its 16 bytes rather than as a string. The second act (or a release) promotes the port to a
// full PortState (claims.ts).
//
//   slots:  words[4s..4s+3] kind  t  node  prev  flags  seq   older/newer (arrival order, oldest first)
//   index:  open addressing, linear probing, slot + 1 per bucket (0 = empty), backward-shift deletion
//   nodes:  claimer and previous owner as ids of a reference-counted list of node names
//
// The slot arrays are allocated once for the most ports there can be: a large typed array is zero pages the
// kernel maps only when written, so the resident size follows the ports actually held, and never growing them
// leaves no dead copies behind for the GC. The index (written all over by hashing) grows as ports arrive.
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

/** Node names by small id, each counted by the slots that use it; id 0 is `null`. */
class NodeIds {
  private readonly names: Array<string | null> = [null]
  private readonly refs: number[] = [0]
  private readonly ids = new Map<string, number>()
  private readonly free: number[] = []

  acquire (node: string | null): number {
    if (node === null) return 0
    let id = this.ids.get(node)
    if (id === undefined) {
      id = this.free.pop() ?? this.names.length
      this.names[id] = node
      this.refs[id] = 0
      this.ids.set(node, id)
    }
    this.refs[id] = (this.refs[id] as number) + 1
    return id
  }

  release (id: number): void {
    if (id === 0) return
    const n = (this.refs[id] as number) - 1
    this.refs[id] = n
    if (n > 0) return
    this.ids.delete(this.names[id] as string)
    this.names[id] = null
    this.free.push(id)
  }

  name (id: number): string | null { return this.names[id] ?? null }
}

function uuidHash (w0: number, w1: number, w2: number, w3: number, kind: number): number {
  return mix(w0 ^ mix(w1 ^ mix(w2 ^ mix(w3 ^ kind))))
}

/** FNV-1a over the code units, for names that are not UUIDs. */
function nameHash (lport: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < lport.length; i++) h = Math.imul(h ^ lport.charCodeAt(i), 0x01000193)
  return mix(h)
}

export class FirstActs {
  /** Live ports. */
  size = 0
  private readonly cap: number
  private readonly words: Uint32Array
  private readonly kinds: Uint8Array
  private readonly times: Float64Array
  private readonly seqs: Float64Array
  private readonly flagBits: Uint8Array
  private readonly older: Int32Array
  private readonly newer: Int32Array
  private readonly nodeIds: Uint32Array
  private readonly prevIds: Uint32Array
  private readonly nodeNames = new NodeIds()
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
  constructor (maxPorts: number) {
    this.cap = Math.max(1, maxPorts)
    this.words = new Uint32Array(this.cap * 4)
    this.kinds = new Uint8Array(this.cap)
    this.times = new Float64Array(this.cap)
    this.seqs = new Float64Array(this.cap)
    this.flagBits = new Uint8Array(this.cap)
    this.older = new Int32Array(this.cap)
    this.newer = new Int32Array(this.cap)
    this.nodeIds = new Uint32Array(this.cap)
    this.prevIds = new Uint32Array(this.cap)
    this.index = new Int32Array(1024)
    this.mask = this.index.length - 1
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
    if (this.free === -1 && this.fresh === this.cap) throw new Error('FirstActs: full (the caller evicts before it adds)')
    // At most half full: probes stay short.
    if ((this.size + 1) * 2 > this.index.length) this.growIndex()
    let s: number
    if (this.free !== -1) { s = this.free; this.free = this.older[s] as number } else s = this.fresh++
    const w = s * 4
    this.words[w] = this.k0
    this.words[w + 1] = this.k1
    this.words[w + 2] = this.k2
    this.words[w + 3] = this.k3
    this.kinds[s] = this.kKind
    if (this.kKind === KIND_NAME) this.names.set(s, lport)
    this.times[s] = t
    this.seqs[s] = seq
    this.flagBits[s] = flags
    this.nodeIds[s] = this.nodeNames.acquire(node)
    this.prevIds[s] = this.nodeNames.acquire(prev)
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
    let b = this.hashAt(s) & this.mask
    while (this.index[b] !== s + 1) b = (b + 1) & this.mask
    for (let next = (b + 1) & this.mask; ; next = (next + 1) & this.mask) {
      const e = this.index[next] as number
      if (e === 0) break
      const home = this.hashAt(e - 1) & this.mask
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
    this.nodeNames.release(this.nodeIds[s] as number)
    this.nodeNames.release(this.prevIds[s] as number)
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
  node (s: number): string { return this.nodeNames.name(this.nodeIds[s] as number) as string }
  prev (s: number): string | null { return this.nodeNames.name(this.prevIds[s] as number) }

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
      this.kHash = uuidHash(this.k0, this.k1, this.k2, this.k3, this.kKind)
      return
    }
    this.kKind = KIND_NAME
    this.k0 = this.k1 = this.k2 = this.k3 = 0
    this.kHash = nameHash(lport)
  }

  /** The hash of a live slot's name (recomputed: storing it would cost 4 bytes a port). */
  private hashAt (s: number): number {
    const kind = this.kinds[s] as number
    if (kind === KIND_NAME) return nameHash(this.names.get(s) as string)
    const w = s * 4
    return uuidHash(this.words[w] as number, this.words[w + 1] as number, this.words[w + 2] as number, this.words[w + 3] as number, kind)
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
    if (this.kinds[s] !== this.kKind) return false
    if (this.kKind === KIND_NAME) return this.names.get(s) === lport
    const w = s * 4
    return this.words[w] === this.k0 && this.words[w + 1] === this.k1 && this.words[w + 2] === this.k2 && this.words[w + 3] === this.k3
  }

  /** Doubles the index and re-enters every live slot. */
  private growIndex (): void {
    this.index = new Int32Array(this.index.length * 2)
    this.mask = this.index.length - 1
    for (let s = 0; s < this.fresh; s++) {
      if (this.kinds[s] === KIND_FREE) continue
      let b = this.hashAt(s) & this.mask
      while (this.index[b] !== 0) b = (b + 1) & this.mask
      this.index[b] = s + 1
    }
  }
}
