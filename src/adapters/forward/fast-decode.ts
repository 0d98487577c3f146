// A msgpack reader for the shapes Forward records take (maps with str keys, str / int / float /
// nil / bool / bin values, arrays, EventTime): the same values @msgpack/msgpack's Decoder returns,
// without its per-byte state machine and JS UTF-8 decoding, which made up most of serve's decode time.
// Anything else (64-bit ints, other ext types, non-str or `__proto__` keys, a str that is not valid
// UTF-8, truncation, deep nesting) makes it give up with BAIL, and the caller decodes the same bytes
// with @msgpack/msgpack, so every odd value and every error message stays exactly what it was.
// PackedForward entries go straight to { timeMs, record }; short strings come from a cache; a map whose
// key list repeats (every record of a stream) is built by one compiled object literal. On request, a nested
// map whose bytes repeat (the kubernetes map of every record of one pod) is the object decoded the first
// time, found by a hash of its bytes and checked byte for byte, not decoded again. Pure: no I/O.
import { isUtf8 } from 'node:buffer'
import type { RecordSkim, SkimmedLine } from '../../parse/record-skim.js'

/** The `record` of an entry the skim took (its `skimmed` says what it stands for). */
export const SKIMMED_RECORD: Record<string, unknown> = Object.freeze({})

/** Returned when the bytes are outside the fast path: decode them with @msgpack/msgpack instead. */
export const BAIL: unique symbol = Symbol('bail')

const MAX_DEPTH = 32
/** Shape slot of entry metadata maps (past every depth). */
const METADATA_SLOT = MAX_DEPTH + 2
const EMPTY = Buffer.alloc(0)
// Buffer's own UTF-8 slicer, without toString's argument handling (a tenth of decode time); toString where absent
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice?: (this: Buffer, start: number, end: number) => string }).utf8Slice
const MAX_CACHED_BYTES = 16
/** Slots of the short-string cache (a power of two). */
const CACHE_SLOTS = 1024

/** What an ext type 0 (EventTime) becomes; the caller passes its own class so values stay `instanceof` it. */
export type EventTimeFactory = (sec: number, nsec: number) => unknown

/** One PackedForward entry as the fast reader hands it over (the shape `decode.ts` gives its ForwardEntry). */
export interface FastEntry {
  timeMs: number
  record: Record<string, unknown>
  /** A noise record recognised by the skim (`record` is then SKIMMED_RECORD). */
  skimmed?: SkimmedLine
  metadata?: Record<string, unknown>
}

export interface FastReader {
  /** Decodes the one value in `bytes[start, end)`; BAIL when it is not entirely on the fast path. */
  value: (bytes: Uint8Array, start: number, end: number) => unknown
  /** Decodes concatenated values (a PackedForward payload) and passes each to `onValue`; false stops. BAIL as above. */
  each: (bytes: Uint8Array, onValue: (v: unknown) => boolean) => true | typeof BAIL
  /**
   * Decodes concatenated `[time, record]` / `[[time, metadata], record]` entries in `bytes[start, end)` — a
   * PackedForward payload, or the elements of a Forward mode entry array — (time an EventTime or a
   * non-negative number, record and metadata maps) straight into entries, without the entry arrays and
   * EventTime objects; BAIL for anything else or more than `maxEntries` (the caller then decodes and checks
   * the same bytes the long way, which reports the fault).
   */
  entries: (bytes: Uint8Array, maxEntries: number, start?: number, end?: number, shareMaps?: boolean, skim?: RecordSkim | null) => FastEntry[] | typeof BAIL
}

/**
 * Nested maps remembered by their bytes for `entries(…, shareMaps)`: sets of a few ways, picked by a hash of
 * the whole encoding. Only maps of at most SHARED_MAX_BYTES without bin values (views of a frame) are kept.
 */
const SHARED_SETS = 256
const SHARED_WAYS = 4
const SHARED_MAX_BYTES = 512

/** Builds an object with known keys from its values in one literal: a keyed store per key cost five times more. */
type ShapeFactory = (values: unknown[]) => Record<string, unknown>

/** Maps of at most this many keys get a compiled factory once their key list was seen twice in a row. */
const MAX_SHAPE_KEYS = 12
const MAX_SHAPES = 64

/**
 * A factory for one key list, compiled to `values => ({"k0": values[0], …})`. The keys are written as JSON
 * string literals (JSON.stringify), so no key can break out of its literal, and `__proto__` never gets here
 * (the reader bails on it). null where code generation is off (--disallow-code-generation-from-strings).
 */
function compileShape (keys: readonly string[]): ShapeFactory | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval, no-new-func
    return new Function('v', `return {${keys.map((k, i) => `${JSON.stringify(k)}: v[${i}]`).join(', ')}}`) as ShapeFactory
  } catch {
    return null
  }
}

/** The key list last seen at one nesting depth; its factory is compiled when the next map there has the same keys. */
interface Shape { keys: string[]; make: ShapeFactory | null; compiled: boolean }

export function createFastReader (eventTime: EventTimeFactory): FastReader {
  // Map keys repeat in every record, and so do short values (stream, host, pod, namespace, container names):
  // reuse the string instead of allocating it again. Direct-mapped by a slot computed from a few bytes, so a
  // lookup compares one candidate, byte by byte (a scan of same-length strings compared many: pod names differ
  // in their last bytes only), and a new string only evicts the one in its slot.
  const cache: string[] = new Array<string>(CACHE_SLOTS).fill('')
  const cacheLen = new Uint8Array(CACHE_SLOTS)
  const cacheBytes = Buffer.alloc(CACHE_SLOTS * MAX_CACHED_BYTES)
  const cacheView = new DataView(cacheBytes.buffer, cacheBytes.byteOffset, cacheBytes.byteLength)

  // nested maps shared by their bytes: one slab of encodings, their lengths (0: empty way) and decoded values
  const sharedBytes = Buffer.alloc(SHARED_SETS * SHARED_WAYS * SHARED_MAX_BYTES)
  const sharedView = new DataView(sharedBytes.buffer, sharedBytes.byteOffset, sharedBytes.byteLength)
  const sharedLen = new Uint16Array(SHARED_SETS * SHARED_WAYS)
  const sharedValue: unknown[] = new Array<unknown>(SHARED_SETS * SHARED_WAYS).fill(undefined)
  const sharedNext = new Uint8Array(SHARED_SETS)
  /** Maps at a depth past this are looked up by their bytes (Infinity: none). */
  let shareAfter = Infinity
  /** Set when a bin value was read: a map holding one is not kept (it would keep the frame alive). */
  let sawBin = false
  /** The skim records are offered to, during `entries`, and what it made of the record just read. */
  let skim: RecordSkim | null = null
  let lastSkimmed: SkimmedLine | null = null

  let buf: Buffer = Buffer.alloc(0)
  let view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  // what the caller passed: a bin value is a view of the same class (a Buffer stays a Buffer), as @msgpack/msgpack returns
  let orig: Uint8Array = buf
  let pos = 0
  let end = 0

  /** A str payload as text; BAIL when it is not valid UTF-8 (@msgpack/msgpack decodes those its own way). */
  function text (start: number, len: number): string | typeof BAIL {
    const stop = start + len
    // @msgpack/msgpack hands a str over 200 bytes to TextDecoder, which drops a leading BOM
    if (len > 200 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) return BAIL
    const s = utf8Slice === undefined ? buf.toString('utf8', start, stop) : utf8Slice.call(buf, start, stop)
    // a replacement character is either in the text or stands for bad bytes: only then check the bytes
    if (s.includes('\uFFFD') && !isUtf8(buf.subarray(start, stop))) return BAIL
    return s
  }

  /** A short str from the cache when the same bytes were seen before; only ASCII is cached (its chars are its bytes). */
  function cached (start: number, len: number): string | typeof BAIL {
    if (len === 0) return ''
    // the slot from the length and four bytes (names of one kind differ at the start or the end), checked in full
    const last = start + len - 1
    const slot = (len * 0x9e3 + (buf[start] as number) * 0x3b + (buf[last] as number) * 0x2c1 + (buf[last - 1 < start ? start : last - 1] as number) * 0x1f +
      (buf[start + (len >> 1)] as number) * 0x65) & (CACHE_SLOTS - 1)
    const at = slot * MAX_CACHED_BYTES
    if (cacheLen[slot] === len) {
      // four bytes at a time (DataView reads compile to one load), then the tail
      let i = 0
      while (i + 4 <= len && view.getUint32(start + i) === cacheView.getUint32(at + i)) i += 4
      while (i < len && cacheBytes[at + i] === buf[start + i]) i++
      if (i === len) return cache[slot] as string
    }
    const s = text(start, len)
    if (s !== BAIL && s.length === len) {
      cache[slot] = s
      cacheLen[slot] = len
      buf.copy(cacheBytes, at, start, start + len)
    }
    return s
  }

  function key (len: number): string | typeof BAIL {
    if (pos + len > end) return BAIL
    const start = pos
    pos += len
    return len > MAX_CACHED_BYTES ? text(start, len) : cached(start, len)
  }

  function strLen (b: number): number {
    if (b >= 0xa0 && b <= 0xbf) { pos += 1; return b & 0x1f }
    if (b === 0xd9) { if (pos + 2 > end) return -1; const n = buf[pos + 1] as number; pos += 2; return n }
    if (b === 0xda) { if (pos + 3 > end) return -1; const n = buf.readUInt16BE(pos + 1); pos += 3; return n }
    if (b === 0xdb) { if (pos + 5 > end) return -1; const n = buf.readUInt32BE(pos + 1); pos += 5; return n }
    return -1
  }

  // Records of one stream share their key lists: the last list seen at each depth and key count, and factories by list
  const lastShape: Array<Shape | undefined> = []
  const factories = new Map<string, ShapeFactory | null>()
  // scratch for the keys and values of the map being read, one pair of arrays per depth
  const keyScratch: string[][] = []
  const valueScratch: unknown[][] = []

  /**
   * A map; `slot` tells apart maps at the same depth that differ in kind (entry metadata, record). With
   * `skim` (a record), the str value of its first `skim.key` is offered to the skim undecoded.
   */
  function map (n: number, depth: number, slot: number = depth, skim: RecordSkim | null = null): unknown {
    if (n > MAX_SHAPE_KEYS) return plainMap(n, depth)
    const keys = keyScratch[slot] ?? (keyScratch[slot] = [])
    const values = valueScratch[slot] ?? (valueScratch[slot] = [])
    // by key count too: an empty metadata map and the kubernetes map beside it (same depth) do not evict each other
    const shapeAt = slot * (MAX_SHAPE_KEYS + 1) + n
    const last = lastShape[shapeAt]
    let same = last !== undefined
    let lazyAt = -1
    let lazyStart = 0
    let lazyLen = 0
    for (let i = 0; i < n; i++) {
      const k = mapKey()
      if (k === BAIL) return BAIL
      let v: unknown
      if (skim !== null && lazyAt === -1 && k === skim.key && pos < end && isStrHeader(buf[pos] as number)) {
        lazyLen = strLen(buf[pos] as number)
        if (lazyLen < 0 || pos + lazyLen > end) return BAIL
        lazyAt = i
        lazyStart = pos
        pos += lazyLen
        v = undefined
      } else {
        v = read(depth)
        if (v === BAIL) return BAIL
      }
      keys[i] = k
      values[i] = v
      if (same && (last as Shape).keys[i] !== k) same = false
    }
    if (lazyAt !== -1) {
      const skimmed = (skim as RecordSkim).take(keys, values, n, lazyAt, buf, lazyStart, lazyStart + lazyLen)
      if (skimmed !== null) {
        for (let i = 0; i < n; i++) values[i] = undefined
        lastSkimmed = skimmed
        return SKIMMED_RECORD
      }
      const v = lazyLen > MAX_CACHED_BYTES ? text(lazyStart, lazyLen) : cached(lazyStart, lazyLen)
      if (v === BAIL) return BAIL
      values[lazyAt] = v
    }
    let make: ShapeFactory | null = null
    if (same) {
      const shape = last as Shape
      if (!shape.compiled) {
        shape.compiled = true
        shape.make = factoryFor(shape.keys)
      }
      make = shape.make
    } else {
      lastShape[shapeAt] = { keys: keys.slice(0, n), make: null, compiled: false }
    }
    let obj: Record<string, unknown>
    if (make !== null) {
      obj = make(values)
    } else {
      obj = {}
      for (let i = 0; i < n; i++) obj[keys[i] as string] = values[i]
    }
    for (let i = 0; i < n; i++) values[i] = undefined // do not keep the last record alive (a loop: fill() is far slower)
    return obj
  }

  function factoryFor (keys: string[]): ShapeFactory | null {
    const id = JSON.stringify(keys)
    let make = factories.get(id)
    if (make === undefined) {
      if (factories.size >= MAX_SHAPES) factories.clear()
      make = compileShape(keys)
      factories.set(id, make)
    }
    return make
  }

  /** A map key: a string, and never `__proto__` (a literal or keyed store of it would set the prototype). */
  function mapKey (): string | typeof BAIL {
    if (pos >= end) return BAIL
    const len = strLen(buf[pos] as number)
    if (len < 0) return BAIL
    const k = key(len)
    return k === '__proto__' ? BAIL : k
  }

  function plainMap (n: number, depth: number): unknown {
    const obj: Record<string, unknown> = {}
    for (let i = 0; i < n; i++) {
      const k = mapKey()
      if (k === BAIL) return BAIL
      const v = read(depth)
      if (v === BAIL) return BAIL
      obj[k] = v
    }
    return obj
  }

  function array (n: number, depth: number): unknown {
    if (n > end - pos) return BAIL // every element takes at least one byte
    const arr = new Array<unknown>(n)
    for (let i = 0; i < n; i++) {
      const v = read(depth)
      if (v === BAIL) return BAIL
      arr[i] = v
    }
    return arr
  }

  function str (len: number): unknown {
    if (pos + len > end) return BAIL
    const start = pos
    pos += len
    // short values repeat too (stream, namespace, host, container names)
    return len > MAX_CACHED_BYTES ? text(start, len) : cached(start, len)
  }

  function bin (len: number): unknown {
    if (pos + len > end) return BAIL
    sawBin = true
    const v = orig.subarray(pos, pos + len)
    pos += len
    return v
  }

  function read (depth: number): unknown {
    if (pos >= end || depth > MAX_DEPTH) return BAIL
    const b = buf[pos] as number
    if (b <= 0x7f) { pos++; return b }
    if (b >= 0xe0) { pos++; return b - 0x100 }
    if (b <= 0x8f) {
      if (depth > shareAfter) return sharedMap(depth)
      pos++
      return map(b & 0x0f, depth + 1)
    }
    if (b <= 0x9f) { pos++; return array(b & 0x0f, depth + 1) }
    if (b <= 0xbf) { pos++; return str(b & 0x1f) }
    const room = end - pos
    switch (b) {
      case 0xc0: pos++; return null
      case 0xc2: pos++; return false
      case 0xc3: pos++; return true
      case 0xc4: if (room < 2) return BAIL; pos += 2; return bin(buf[pos - 1] as number)
      case 0xc5: if (room < 3) return BAIL; pos += 3; return bin(buf.readUInt16BE(pos - 2))
      case 0xc6: if (room < 5) return BAIL; pos += 5; return bin(buf.readUInt32BE(pos - 4))
      case 0xca: if (room < 5) return BAIL; pos += 5; return buf.readFloatBE(pos - 4)
      case 0xcb: if (room < 9) return BAIL; pos += 9; return buf.readDoubleBE(pos - 8)
      case 0xcc: if (room < 2) return BAIL; pos += 2; return buf[pos - 1] as number
      case 0xcd: if (room < 3) return BAIL; pos += 3; return buf.readUInt16BE(pos - 2)
      case 0xce: if (room < 5) return BAIL; pos += 5; return buf.readUInt32BE(pos - 4)
      case 0xd0: if (room < 2) return BAIL; pos += 2; return buf.readInt8(pos - 1)
      case 0xd1: if (room < 3) return BAIL; pos += 3; return buf.readInt16BE(pos - 2)
      case 0xd2: if (room < 5) return BAIL; pos += 5; return buf.readInt32BE(pos - 4)
      case 0xd7:
        // fixext 8 of type 0: EventTime
        if (room < 10 || buf[pos + 1] !== 0) return BAIL
        pos += 10
        return eventTime(buf.readUInt32BE(pos - 8), buf.readUInt32BE(pos - 4))
      case 0xd9: case 0xda: case 0xdb: {
        const len = strLen(b)
        return len < 0 ? BAIL : str(len)
      }
      case 0xdc: if (room < 3) return BAIL; pos += 3; return array(buf.readUInt16BE(pos - 2), depth + 1)
      case 0xdd: if (room < 5) return BAIL; pos += 5; return array(buf.readUInt32BE(pos - 4), depth + 1)
      case 0xde:
        if (depth > shareAfter) return sharedMap(depth)
        if (room < 3) return BAIL
        pos += 3
        return map(buf.readUInt16BE(pos - 2), depth + 1)
      case 0xdf:
        if (depth > shareAfter) return sharedMap(depth)
        if (room < 5) return BAIL
        pos += 5
        return map(buf.readUInt32BE(pos - 4), depth + 1)
      default: return BAIL // 64-bit ints, other ext types, 0xc1
    }
  }

  /** The map at `pos` (its header not read yet), decoded. */
  function mapHere (depth: number): unknown {
    const b = buf[pos] as number
    if (b <= 0x8f) { pos++; return map(b & 0x0f, depth + 1) }
    const room = end - pos
    if (b === 0xde) { if (room < 3) return BAIL; pos += 3; return map(buf.readUInt16BE(pos - 2), depth + 1) }
    if (room < 5) return BAIL
    pos += 5
    return map(buf.readUInt32BE(pos - 4), depth + 1)
  }

  /**
   * The map at `pos` as the object decoded earlier from the same bytes, or decoded now (and remembered when
   * small and without bin values). The same bytes are the same value: a msgpack value ends where its own
   * encoding says, so equal bytes from `pos` on are the whole map, whatever follows.
   */
  function sharedMap (depth: number): unknown {
    const start = pos
    const stop = skipValue(start, SHARED_MAX_BYTES)
    if (stop < 0) return mapHere(depth)
    const len = stop - start
    // the set from every byte (a sum and a rotate-xor of the 32-bit words: short dependency chains), mixed at the end
    let a = len
    let h = 0
    let i = start
    for (; i + 4 <= stop; i += 4) {
      const x = view.getUint32(i, true)
      a = (a + x) | 0
      h = ((h << 5) | (h >>> 27)) ^ x
    }
    for (; i < stop; i++) h = ((h << 5) | (h >>> 27)) ^ (buf[i] as number)
    h ^= Math.imul(a, 0x9e3779b1)
    h ^= h >>> 16 // murmur3's final mix: every sampled bit reaches the set number
    h = Math.imul(h, 0x85ebca6b)
    h ^= h >>> 13
    h = Math.imul(h, 0xc2b2ae35)
    h ^= h >>> 16
    const set = (h & (SHARED_SETS - 1)) * SHARED_WAYS
    for (let w = set; w < set + SHARED_WAYS; w++) {
      if (sharedLen[w] !== len) continue
      const at = w * SHARED_MAX_BYTES
      let j = 0
      while (j + 4 <= len && view.getUint32(start + j, true) === sharedView.getUint32(at + j, true)) j += 4
      while (j < len && sharedBytes[at + j] === buf[start + j]) j++
      if (j === len) { pos = stop; return sharedValue[w] }
    }
    const outerBin = sawBin
    sawBin = false
    const v = mapHere(depth)
    if (v !== BAIL && !sawBin && pos === stop) {
      const w = set + (sharedNext[set / SHARED_WAYS] as number)
      sharedNext[set / SHARED_WAYS] = ((sharedNext[set / SHARED_WAYS] as number) + 1) % SHARED_WAYS
      buf.copy(sharedBytes, w * SHARED_MAX_BYTES, start, stop)
      sharedLen[w] = len
      sharedValue[w] = v
    }
    sawBin = sawBin || outerBin
    return v
  }

  /** End of the value at `at` when it ends within `max` bytes (and `end`); -1 otherwise or for any unusual byte. */
  function skipValue (at: number, max: number): number {
    const limit = Math.min(end, at + max)
    let p = at
    let remaining = 1
    while (remaining > 0) {
      if (p >= limit) return -1
      const b = buf[p] as number
      remaining--
      if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) { p += 1; continue }
      if (b <= 0x8f) { remaining += (b & 0x0f) * 2; p += 1; continue }
      if (b <= 0x9f) { remaining += b & 0x0f; p += 1; continue }
      if (b <= 0xbf) { p += 1 + (b & 0x1f); continue }
      if (p + 5 > limit) return -1 // every longer header fits in 5 bytes (and a value shorter than that ends the map)
      switch (b) {
        case 0xc4: case 0xd9: p += 2 + (buf[p + 1] as number); break
        case 0xc5: case 0xda: p += 3 + buf.readUInt16BE(p + 1); break
        case 0xc6: case 0xdb: p += 5 + buf.readUInt32BE(p + 1); break
        case 0xca: case 0xce: case 0xd2: p += 5; break
        case 0xcb: case 0xcf: case 0xd3: p += 9; break
        case 0xcc: case 0xd0: p += 2; break
        case 0xcd: case 0xd1: p += 3; break
        case 0xd7: p += 10; break
        case 0xdc: remaining += buf.readUInt16BE(p + 1); p += 3; break
        case 0xde: remaining += buf.readUInt16BE(p + 1) * 2; p += 3; break
        default: return -1 // other ext types, 32-bit counts, 0xc1: decoded (or refused) the usual way
      }
    }
    return p <= limit ? p : -1
  }

  /** Time of an entry (EventTime or a non-negative number) in ms at `pos`, or -1 to bail. */
  function entryTime (): number {
    const b = buf[pos] as number
    if (b === 0xd7) {
      if (end - pos < 10 || buf[pos + 1] !== 0) return -1
      const sec = buf.readUInt32BE(pos + 2)
      const nsec = buf.readUInt32BE(pos + 6)
      if (nsec >= 1e9) return -1 // bad_time: the long way reports it
      pos += 10
      return sec * 1000 + nsec / 1e6
    }
    if (b === 0xc1 || (b >= 0x80 && b <= 0xbf) || (b >= 0xc4 && b <= 0xc9) || (b >= 0xd4 && b <= 0xdf) || b >= 0xe0) return -1
    const t = read(1)
    return typeof t === 'number' && Number.isFinite(t) && t >= 0 ? t * 1000 : -1
  }

  /** The map at `pos` (BAIL for any other value). */
  function mapAt (depth: number, slot: number, skim: RecordSkim | null = null): unknown {
    const b = buf[pos] as number
    const room = end - pos
    if (b >= 0x80 && b <= 0x8f) { pos++; return map(b & 0x0f, depth, slot, skim) }
    if (b === 0xde) { if (room < 3) return BAIL; pos += 3; return map(buf.readUInt16BE(pos - 2), depth, slot, skim) }
    if (b === 0xdf) { if (room < 5) return BAIL; pos += 5; return map(buf.readUInt32BE(pos - 4), depth, slot, skim) }
    return BAIL
  }

  function isStrHeader (b: number): boolean {
    return (b >= 0xa0 && b <= 0xbf) || b === 0xd9 || b === 0xda || b === 0xdb
  }

  function isMapHeader (b: number): boolean {
    return (b >= 0x80 && b <= 0x8f) || b === 0xde || b === 0xdf
  }

  function entries (maxEntries: number): FastEntry[] | typeof BAIL {
    const out: FastEntry[] = []
    while (pos < end) {
      if (out.length >= maxEntries || buf[pos] !== 0x92) return BAIL
      pos++
      if (pos >= end) return BAIL
      let metadata: Record<string, unknown> | undefined
      let timeMs: number
      if (buf[pos] === 0x92) {
        // Fluent Bit's [[time, metadata], record]
        pos++
        if (pos >= end) return BAIL
        timeMs = entryTime()
        if (timeMs < 0 || pos >= end) return BAIL
        // a slot of its own, so metadata and the kubernetes map (both at depth 2) do not evict each other's shape
        const m = mapAt(2, METADATA_SLOT)
        if (m === BAIL) return BAIL
        metadata = m as Record<string, unknown>
      } else {
        timeMs = entryTime()
        if (timeMs < 0) return BAIL
      }
      if (pos >= end || !isMapHeader(buf[pos] as number)) return BAIL
      const record = skim === null ? read(0) : mapAt(1, 1, skim)
      if (record === BAIL) return BAIL
      if (record === SKIMMED_RECORD) {
        const skimmed = lastSkimmed as SkimmedLine
        lastSkimmed = null
        out.push(metadata === undefined ? { timeMs, record: SKIMMED_RECORD, skimmed } : { timeMs, record: SKIMMED_RECORD, metadata, skimmed })
      } else out.push(metadata === undefined ? { timeMs, record: record as Record<string, unknown> } : { timeMs, record: record as Record<string, unknown>, metadata })
    }
    return out
  }

  function setBuffer (bytes: Uint8Array, start: number, stop: number): void {
    orig = bytes
    buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
    pos = start
    end = stop
  }

  return {
    value (bytes, start, stop) {
      setBuffer(bytes, start, stop)
      try {
        const v = read(0)
        return v === BAIL || pos !== end ? BAIL : v
      } finally {
        setBuffer(EMPTY, 0, 0) // do not keep the frame alive
      }
    },
    entries (bytes, maxEntries, start = 0, stop = bytes.length, shareMaps = false, recordSkim = null) {
      setBuffer(bytes, start, stop)
      // maps inside a record (depth 1) are shared; the record itself and the metadata map never are
      shareAfter = shareMaps ? 0 : Infinity
      sawBin = false
      skim = recordSkim
      try {
        return entries(maxEntries)
      } finally {
        skim = null
        shareAfter = Infinity
        setBuffer(EMPTY, 0, 0)
      }
    },
    each (bytes, onValue) {
      setBuffer(bytes, 0, bytes.length)
      try {
        while (pos < end) {
          const v = read(0)
          if (v === BAIL) return BAIL
          if (!onValue(v)) break
        }
        return true
      } finally {
        setBuffer(EMPTY, 0, 0)
      }
    }
  }
}
