// A msgpack reader for the shapes Forward records take (maps with str keys, str / int / float /
// nil / bool / bin values, arrays, EventTime): the same values @msgpack/msgpack's Decoder returns,
// without its per-byte state machine and JS UTF-8 decoding, which made up most of serve's decode time.
// Anything else (64-bit ints, other ext types, non-str or `__proto__` keys, a str that is not valid
// UTF-8, truncation, deep nesting) makes it give up with BAIL, and the caller decodes the same bytes
// with @msgpack/msgpack, so every odd value and every error message stays exactly what it was.
// Pure: no I/O.
import { isUtf8 } from 'node:buffer'

/** Returned when the bytes are outside the fast path: decode them with @msgpack/msgpack instead. */
export const BAIL: unique symbol = Symbol('bail')

const MAX_DEPTH = 32
const EMPTY = Buffer.alloc(0)
// Buffer's own UTF-8 slicer, without toString's argument handling (a tenth of decode time); toString where absent
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice?: (this: Buffer, start: number, end: number) => string }).utf8Slice
const MAX_CACHED_BYTES = 16
const BUCKET_SIZE = 16

/** Strings of one byte length seen lately. */
interface Bucket { strs: string[]; next: number }

/** What an ext type 0 (EventTime) becomes; the caller passes its own class so values stay `instanceof` it. */
export type EventTimeFactory = (sec: number, nsec: number) => unknown

export interface FastReader {
  /** Decodes the one value in `bytes[start, end)`; BAIL when it is not entirely on the fast path. */
  value: (bytes: Uint8Array, start: number, end: number) => unknown
  /** Decodes concatenated values (a PackedForward payload) and passes each to `onValue`; false stops. BAIL as above. */
  each: (bytes: Uint8Array, onValue: (v: unknown) => boolean) => true | typeof BAIL
}

export function createFastReader (eventTime: EventTimeFactory): FastReader {
  // map keys repeat in every record: reuse the string instead of allocating (and internalizing) it again
  const keyBuckets: Bucket[] = []
  const valueBuckets: Bucket[] = []
  for (let i = 0; i <= MAX_CACHED_BYTES; i++) {
    keyBuckets.push({ strs: [], next: 0 })
    valueBuckets.push({ strs: [], next: 0 })
  }

  let buf: Buffer = Buffer.alloc(0)
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

  /** A short str from `buckets` when the same bytes were seen before; only ASCII is cached (its chars are its bytes). */
  function cached (buckets: Bucket[], start: number, len: number): string | typeof BAIL {
    const bucket = buckets[len] as Bucket
    const strs = bucket.strs
    outer: for (let k = 0; k < strs.length; k++) {
      const s = strs[k] as string
      for (let i = 0; i < len; i++) if (s.charCodeAt(i) !== buf[start + i]) continue outer
      return s
    }
    const s = text(start, len)
    if (s !== BAIL && s.length === len) {
      // round robin: a length whose strings keep changing does not pin the first ones seen
      if (strs.length < BUCKET_SIZE) strs.push(s)
      else strs[bucket.next++ % BUCKET_SIZE] = s
    }
    return s
  }

  function key (len: number): string | typeof BAIL {
    if (pos + len > end) return BAIL
    const start = pos
    pos += len
    return len > MAX_CACHED_BYTES ? text(start, len) : cached(keyBuckets, start, len)
  }

  function strLen (b: number): number {
    if (b >= 0xa0 && b <= 0xbf) { pos += 1; return b & 0x1f }
    if (b === 0xd9) { if (pos + 2 > end) return -1; const n = buf[pos + 1] as number; pos += 2; return n }
    if (b === 0xda) { if (pos + 3 > end) return -1; const n = buf.readUInt16BE(pos + 1); pos += 3; return n }
    if (b === 0xdb) { if (pos + 5 > end) return -1; const n = buf.readUInt32BE(pos + 1); pos += 5; return n }
    return -1
  }

  function map (n: number, depth: number): unknown {
    const obj: Record<string, unknown> = {}
    for (let i = 0; i < n; i++) {
      if (pos >= end) return BAIL
      const len = strLen(buf[pos] as number)
      if (len < 0) return BAIL
      const k = key(len)
      if (k === BAIL || k === '__proto__') return BAIL
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
    return len > MAX_CACHED_BYTES ? text(start, len) : cached(valueBuckets, start, len)
  }

  function bin (len: number): unknown {
    if (pos + len > end) return BAIL
    const v = orig.subarray(pos, pos + len)
    pos += len
    return v
  }

  function read (depth: number): unknown {
    if (pos >= end || depth > MAX_DEPTH) return BAIL
    const b = buf[pos] as number
    if (b <= 0x7f) { pos++; return b }
    if (b >= 0xe0) { pos++; return b - 0x100 }
    if (b <= 0x8f) { pos++; return map(b & 0x0f, depth + 1) }
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
      case 0xde: if (room < 3) return BAIL; pos += 3; return map(buf.readUInt16BE(pos - 2), depth + 1)
      case 0xdf: if (room < 5) return BAIL; pos += 5; return map(buf.readUInt32BE(pos - 4), depth + 1)
      default: return BAIL // 64-bit ints, other ext types, 0xc1
    }
  }

  function setBuffer (bytes: Uint8Array, start: number, stop: number): void {
    orig = bytes
    buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
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
