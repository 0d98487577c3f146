// Turns one complete msgpack frame into a Forward message: Message, Forward, PackedForward,
// CompressedPackedForward, or a handshake PING. Pure and synchronous except `inflate` (gzip,
// capped). Every failure is returned as a ForwardFault, never thrown.
import { gunzip } from 'node:zlib'
import { Decoder, ExtensionCodec } from '@msgpack/msgpack'
import type { ForwardEntry, ForwardFault, ForwardMode } from './types.js'
import { BAIL, createFastReader } from './fast-decode.js'
import type { RecordSkim } from '../../parse/record-skim.js'

/** A decoded EventTime (msgpack ext type 0: uint32 BE seconds, uint32 BE nanoseconds). */
export class EventTimeValue {
  readonly sec: number
  readonly nsec: number
  constructor (sec: number, nsec: number) {
    this.sec = sec
    this.nsec = nsec
  }
}

class BadTimeError extends Error {}

function thrown (err: unknown, context: string): { ok: false, fault: ForwardFault } {
  const msg = err instanceof Error ? err.message : String(err)
  return fail(err instanceof BadTimeError ? 'bad_time' : 'bad_msgpack', context === '' ? msg : `${context}: ${msg}`)
}

const codec = new ExtensionCodec()
codec.register({
  type: 0,
  encode: (v: unknown) => {
    if (!(v instanceof EventTimeValue)) return null
    const b = Buffer.allocUnsafe(8)
    b.writeUInt32BE(v.sec, 0)
    b.writeUInt32BE(v.nsec, 4)
    return b
  },
  decode: (data: Uint8Array) => {
    if (data.length !== 8) throw new BadTimeError(`EventTime must be 8 bytes, got ${data.length}`)
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength)
    return new EventTimeValue(dv.getUint32(0), dv.getUint32(4))
  }
})

export const eventTimeCodec = codec
const decoder = new Decoder({ extensionCodec: codec })
const fast = createFastReader((sec, nsec) => new EventTimeValue(sec, nsec))

/** A frame with its top-level array split into element byte ranges. */
interface Split {
  bytes: Uint8Array
  elems: Array<[number, number]>
}

/** Decoded option map (only the keys the protocol defines are interpreted). */
export interface ForwardOption {
  chunk?: string
  size?: number
  compressed?: string
  fluentSignal?: number
}

/** What one frame is. */
export type DecodedFrame =
  | { kind: 'ping', clientHostname: string, salt: Uint8Array, sharedKeyDigest: string, username: string, passwordDigest: string }
  | { kind: 'events', mode: ForwardMode, tag: string, entries: ForwardEntry[], option: ForwardOption }
  /** CompressedPackedForward: inflate `payload` (capped), then call `decodePackedEntries`. */
  | { kind: 'compressed', tag: string, payload: Uint8Array, option: ForwardOption }

export type FrameResult = { ok: true, frame: DecodedFrame } | { ok: false, fault: ForwardFault }

export interface DecodeLimits {
  maxEntriesPerFrame: number
  /**
   * Records may share nested maps whose bytes repeat (see ForwardServerOptions.shareRepeatedMaps).
   * @default false
   */
  shareRepeatedMaps?: boolean
  /**
   * Records the skim recognises as noise become SkimmedLine (see ForwardServerOptions.skimRecords).
   * @default null
   */
  skimRecords?: RecordSkim | null
}

function fail (reason: ForwardFault['reason'], detail: string): { ok: false, fault: ForwardFault } {
  return { ok: false, fault: { reason, detail } }
}

// Skips one value at `pos` of a complete buffer; the framer already validated the structure.
function skip (b: Uint8Array, pos: number): number {
  let remaining = 1
  while (remaining > 0) {
    const x = b[pos] as number
    remaining--
    if (x <= 0x7f || x >= 0xe0 || x === 0xc0 || x === 0xc2 || x === 0xc3) { pos += 1; continue }
    if (x <= 0x8f) { remaining += (x & 0x0f) * 2; pos += 1; continue }
    if (x <= 0x9f) { remaining += x & 0x0f; pos += 1; continue }
    if (x <= 0xbf) { pos += 1 + (x & 0x1f); continue }
    const dv = new DataView(b.buffer, b.byteOffset + pos + 1)
    switch (x) {
      case 0xc4: case 0xd9: pos += 2 + dv.getUint8(0); break
      case 0xc5: case 0xda: pos += 3 + dv.getUint16(0); break
      case 0xc6: case 0xdb: pos += 5 + dv.getUint32(0); break
      case 0xc7: pos += 3 + dv.getUint8(0); break
      case 0xc8: pos += 4 + dv.getUint16(0); break
      case 0xc9: pos += 6 + dv.getUint32(0); break
      case 0xca: pos += 5; break
      case 0xcb: pos += 9; break
      case 0xcc: case 0xd0: pos += 2; break
      case 0xcd: case 0xd1: pos += 3; break
      case 0xce: case 0xd2: pos += 5; break
      case 0xcf: case 0xd3: pos += 9; break
      case 0xd4: pos += 3; break
      case 0xd5: pos += 4; break
      case 0xd6: pos += 6; break
      case 0xd7: pos += 10; break
      case 0xd8: pos += 18; break
      case 0xdc: remaining += dv.getUint16(0); pos += 3; break
      case 0xdd: remaining += dv.getUint32(0); pos += 5; break
      case 0xde: remaining += dv.getUint16(0) * 2; pos += 3; break
      case 0xdf: remaining += dv.getUint32(0) * 2; pos += 5; break
      default: throw new RangeError(`invalid msgpack byte 0x${x.toString(16)}`)
    }
  }
  return pos
}

/** Element count of an array header at `pos`, or -1 when the value is not an array. */
function arrayLength (b: Uint8Array, pos: number): { n: number, head: number } | null {
  const x = b[pos] as number
  if (x >= 0x90 && x <= 0x9f) return { n: x & 0x0f, head: 1 }
  const dv = new DataView(b.buffer, b.byteOffset + pos + 1)
  if (x === 0xdc) return { n: dv.getUint16(0), head: 3 }
  if (x === 0xdd) return { n: dv.getUint32(0), head: 5 }
  return null
}

/** Raw payload of a str or bin value (PackedForward entries; the PING salt, which is not UTF-8). */
function rawBytes (b: Uint8Array, pos: number): Uint8Array | null {
  const x = b[pos] as number
  const dv = new DataView(b.buffer, b.byteOffset + pos + 1)
  let head: number
  let len: number
  if (x >= 0xa0 && x <= 0xbf) { head = 1; len = x & 0x1f } else if (x === 0xc4 || x === 0xd9) { head = 2; len = dv.getUint8(0) } else if (x === 0xc5 || x === 0xda) { head = 3; len = dv.getUint16(0) } else if (x === 0xc6 || x === 0xdb) { head = 5; len = dv.getUint32(0) } else return null
  return b.subarray(pos + head, pos + head + len)
}

function split (bytes: Uint8Array, tops?: readonly number[]): Split | null {
  const a = arrayLength(bytes, 0)
  if (a === null) return null
  const elems: Array<[number, number]> = []
  if (tops !== undefined && tops.length === a.n) {
    // Element offsets noted by the framer: no second walk over the frame.
    for (let i = 0; i < a.n; i++) elems.push([tops[i] as number, i + 1 < a.n ? tops[i + 1] as number : bytes.length])
    return { bytes, elems }
  }
  let pos = a.head
  for (let i = 0; i < a.n; i++) {
    const end = skip(bytes, pos)
    elems.push([pos, end])
    pos = end
  }
  return { bytes, elems }
}

function decodeAt (s: Split, i: number): unknown {
  const r = s.elems[i] as [number, number]
  let v: unknown = BAIL
  try {
    v = fast.value(s.bytes, r[0], r[1])
  } catch {
    // decoded again below
  }
  return v === BAIL ? decoder.decode(s.bytes.subarray(r[0], r[1])) : v
}

function isMap (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof EventTimeValue)
}

/** Event time in ms, or null when the value is not a time. */
export function timeToMs (t: unknown): number | null {
  if (t instanceof EventTimeValue) {
    if (t.nsec >= 1e9) return null
    return t.sec * 1000 + t.nsec / 1e6
  }
  if (typeof t === 'number' && Number.isFinite(t) && t >= 0) return t * 1000
  return null
}

/** One entry: `[time, record]` or Fluent Bit's `[[time, metadata], record]`. */
function toEntry (e: unknown): ForwardEntry | ForwardFault {
  if (!Array.isArray(e) || e.length !== 2) return { reason: 'bad_shape', detail: 'entry is not a [time, record] pair' }
  const [head, record] = e as [unknown, unknown]
  let timeMs: number | null
  let metadata: Record<string, unknown> | undefined
  if (Array.isArray(head)) {
    if (head.length !== 2 || !isMap(head[1])) return { reason: 'bad_shape', detail: 'entry header is not [time, metadata]' }
    timeMs = timeToMs(head[0])
    metadata = head[1]
  } else {
    timeMs = timeToMs(head)
  }
  if (timeMs === null) return { reason: 'bad_time', detail: 'entry time is neither EventTime nor a non-negative number' }
  if (!isMap(record)) return { reason: 'bad_record', detail: 'entry record is not a map' }
  return metadata === undefined ? { timeMs, record } : { timeMs, record, metadata }
}

function isFault (v: ForwardEntry | ForwardFault): v is ForwardFault {
  return 'reason' in v
}

function toOption (v: unknown): ForwardOption | ForwardFault {
  if (v === undefined || v === null) return {}
  if (!isMap(v)) return { reason: 'bad_option', detail: 'option is not a map' }
  const o: ForwardOption = {}
  const { chunk, size, compressed } = v
  const signal = v['fluent_signal']
  if (chunk !== undefined) {
    if (typeof chunk !== 'string') return { reason: 'bad_option', detail: 'option.chunk is not a str' }
    o.chunk = chunk
  }
  if (typeof size === 'number') o.size = size
  if (compressed !== undefined) {
    if (typeof compressed !== 'string') return { reason: 'bad_option', detail: 'option.compressed is not a str' }
    o.compressed = compressed
  }
  if (typeof signal === 'number') o.fluentSignal = signal
  return o
}

function isOptionFault (v: ForwardOption | ForwardFault): v is ForwardFault {
  return 'reason' in v
}

/** The common case on the fast reader; null for anything it does not take or any fault, which the full decoder then reports. */
function fastEntries (bytes: Uint8Array, limits: DecodeLimits, start: number, end: number): ForwardEntry[] | null {
  try {
    const r = fast.entries(bytes, limits.maxEntriesPerFrame, start, end, limits.shareRepeatedMaps === true, limits.skimRecords ?? null)
    return r === BAIL ? null : r
  } catch {
    return null
  }
}

/**
 * Decodes the entries of a PackedForward payload (concatenated msgpack entries, no array header).
 */
export function decodePackedEntries (payload: Uint8Array, limits: DecodeLimits): { ok: true, entries: ForwardEntry[] } | { ok: false, fault: ForwardFault } {
  const quick = fastEntries(payload, limits, 0, payload.length)
  if (quick !== null) return { ok: true, entries: quick }
  const entries: ForwardEntry[] = []
  try {
    for (const e of decoder.decodeMulti(payload)) {
      if (entries.length >= limits.maxEntriesPerFrame) return fail('too_many_entries', `more than ${limits.maxEntriesPerFrame} entries`)
      const entry = toEntry(e)
      if (isFault(entry)) return { ok: false, fault: entry }
      entries.push(entry)
    }
  } catch (err) {
    return thrown(err, 'packed entries')
  }
  return { ok: true, entries }
}

/** Decodes one complete frame (as cut by FrameBuffer; pass its `tops` to skip re-walking it). */
export function decodeFrame (bytes: Uint8Array, limits: DecodeLimits, tops?: readonly number[]): FrameResult {
  let s: Split | null
  try {
    s = split(bytes, tops)
  } catch (err) {
    return thrown(err, '')
  }
  if (s === null) return fail('bad_shape', 'frame is not an array')
  try {
    return decodeSplit(s, limits)
  } catch (err) {
    return thrown(err, '')
  }
}

function decodeSplit (s: Split, limits: DecodeLimits): FrameResult {
  const n = s.elems.length
  if (n < 2) return fail('bad_shape', `frame has ${n} element(s)`)
  const tag = decodeAt(s, 0)
  if (typeof tag !== 'string') return fail('bad_shape', 'tag is not a str')
  if (tag === 'PING' && n === 6) return decodePing(s)
  const second = s.elems[1] as [number, number]
  const arr = arrayLength(s.bytes, second[0])
  if (arr !== null) {
    // Forward: [tag, [entries...], option?]
    if (n > 3) return fail('bad_shape', `Forward frame has ${n} elements`)
    if (arr.n > limits.maxEntriesPerFrame) return fail('too_many_entries', `${arr.n} entries > ${limits.maxEntriesPerFrame}`)
    const option = toOption(n === 3 ? decodeAt(s, 2) : undefined)
    if (isOptionFault(option)) return { ok: false, fault: option }
    // Fluent Bit's default: the entries' bytes follow the array header, as in a PackedForward payload
    const quick = fastEntries(s.bytes, limits, second[0] + arr.head, second[1])
    if (quick !== null && quick.length === arr.n) return { ok: true, frame: { kind: 'events', mode: 'Forward', tag, entries: quick, option } }
    const raw = decodeAt(s, 1) as unknown[]
    const entries: ForwardEntry[] = []
    for (const e of raw) {
      const entry = toEntry(e)
      if (isFault(entry)) return { ok: false, fault: entry }
      entries.push(entry)
    }
    return { ok: true, frame: { kind: 'events', mode: 'Forward', tag, entries, option } }
  }
  const payload = rawBytes(s.bytes, second[0])
  if (payload !== null) {
    // PackedForward / CompressedPackedForward: [tag, bin|str, option?]
    if (n > 3) return fail('bad_shape', `PackedForward frame has ${n} elements`)
    const option = toOption(n === 3 ? decodeAt(s, 2) : undefined)
    if (isOptionFault(option)) return { ok: false, fault: option }
    if (option.compressed !== undefined) {
      if (option.compressed !== 'gzip') return fail('unsupported_compression', `compressed: ${option.compressed}`)
      return { ok: true, frame: { kind: 'compressed', tag, payload, option } }
    }
    const r = decodePackedEntries(payload, limits)
    if (!r.ok) return r
    return { ok: true, frame: { kind: 'events', mode: 'PackedForward', tag, entries: r.entries, option } }
  }
  // Message: [tag, time, record, option?]
  if (n !== 3 && n !== 4) return fail('bad_mode', `unknown mode: ${n} elements, second is neither entries, bin/str nor a time`)
  const timeMs = timeToMs(decodeAt(s, 1))
  if (timeMs === null) return fail('bad_time', 'Message time is neither EventTime nor a non-negative number')
  const record = decodeAt(s, 2)
  if (!isMap(record)) return fail('bad_record', 'Message record is not a map')
  const option = toOption(n === 4 ? decodeAt(s, 3) : undefined)
  if (isOptionFault(option)) return { ok: false, fault: option }
  return { ok: true, frame: { kind: 'events', mode: 'Message', tag, entries: [{ timeMs, record }], option } }
}

function decodePing (s: Split): FrameResult {
  const str = (i: number): string | null => {
    const v = decodeAt(s, i)
    return typeof v === 'string' ? v : null
  }
  const clientHostname = str(1)
  const salt = rawBytes(s.bytes, (s.elems[2] as [number, number])[0])
  const sharedKeyDigest = str(3)
  const username = str(4)
  const passwordDigest = str(5)
  if (clientHostname === null || salt === null || sharedKeyDigest === null || username === null || passwordDigest === null) {
    return fail('bad_shape', 'PING elements have the wrong types')
  }
  return { ok: true, frame: { kind: 'ping', clientHostname, salt, sharedKeyDigest, username, passwordDigest } }
}

/**
 * Gunzips a CompressedPackedForward payload (one or more concatenated gzip members) off the
 * event loop, aborting as soon as the output passes `maxBytes`.
 */
export function inflate (payload: Uint8Array, maxBytes: number): Promise<{ ok: true, bytes: Buffer } | { ok: false, fault: ForwardFault }> {
  return new Promise((resolve) => {
    gunzip(payload, { maxOutputLength: maxBytes }, (err, out) => {
      if (err === null) { resolve({ ok: true, bytes: out }); return }
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        resolve({ ok: false, fault: { reason: 'decompressed_too_large', detail: `gzip payload inflates past ${maxBytes} bytes` } })
      } else {
        resolve({ ok: false, fault: { reason: 'bad_gzip', detail: err.message } })
      }
    })
  })
}
