// Finds msgpack message boundaries in a TCP byte stream without decoding values, so frames are
// reassembled across reads in O(n), size limits are enforced from headers before the bytes
// arrive, and each complete frame is decoded once. Pure: no I/O.
import type { ForwardFault } from './types.js'

/** Result of a boundary scan. */
type ScanStep =
  | { kind: 'more' }
  | { kind: 'done', end: number }
  | { kind: 'fault', fault: ForwardFault }

const MORE: ScanStep = { kind: 'more' }

// Header of the msgpack value at `pos`, written to these scratch variables (no allocation per
// token): header length, then either the payload byte length or the number of child values.
let hHead = 0
let hPayload = 0
let hChildren = 0
const H_MORE = 0
const H_OK = 1
const H_INVALID = -1

function header (buf: Uint8Array, pos: number, end: number): number {
  if (pos >= end) return H_MORE
  const b = buf[pos] as number
  hHead = 1
  hPayload = 0
  hChildren = 0
  if (b <= 0x7f || b >= 0xe0) return H_OK
  if (b <= 0x8f) { hChildren = (b & 0x0f) * 2; return H_OK }
  if (b <= 0x9f) { hChildren = b & 0x0f; return H_OK }
  if (b <= 0xbf) { hPayload = b & 0x1f; return H_OK }
  let lenBytes = 0 // width of a length/count field that follows the type byte
  switch (b) {
    case 0xc0: case 0xc2: case 0xc3: return H_OK
    case 0xc4: case 0xd9: case 0xc7: lenBytes = 1; break
    case 0xc5: case 0xda: case 0xc8: case 0xdc: case 0xde: lenBytes = 2; break
    case 0xc6: case 0xdb: case 0xc9: case 0xdd: case 0xdf: lenBytes = 4; break
    case 0xca: hHead = 5; return H_OK
    case 0xcb: hHead = 9; return H_OK
    case 0xcc: case 0xd0: hHead = 2; return H_OK
    case 0xcd: case 0xd1: hHead = 3; return H_OK
    case 0xce: case 0xd2: hHead = 5; return H_OK
    case 0xcf: case 0xd3: hHead = 9; return H_OK
    case 0xd4: hHead = 3; return H_OK
    case 0xd5: hHead = 4; return H_OK
    case 0xd6: hHead = 6; return H_OK
    case 0xd7: hHead = 10; return H_OK
    case 0xd8: hHead = 18; return H_OK
    default: return H_INVALID // 0xc1 is never used
  }
  if (pos + 1 + lenBytes > end) return H_MORE
  let n: number
  if (lenBytes === 1) n = buf[pos + 1] as number
  else if (lenBytes === 2) n = ((buf[pos + 1] as number) << 8) | (buf[pos + 2] as number)
  else n = (buf[pos + 1] as number) * 0x1000000 + (((buf[pos + 2] as number) << 16) | ((buf[pos + 3] as number) << 8) | (buf[pos + 4] as number))
  hHead = 1 + lenBytes
  if (b === 0xdc || b === 0xdd) hChildren = n
  else if (b === 0xde || b === 0xdf) hChildren = n * 2
  else {
    hPayload = n
    if (b === 0xc7 || b === 0xc8 || b === 0xc9) hHead += 1 // ext type byte
  }
  return H_OK
}

/**
 * Resumable scan of one msgpack value. Keeps the position and the stack of remaining child
 * counts between calls, so bytes already walked are never walked again. Also notes where each
 * element of a top-level array starts, so the frame can be split without another pass.
 */
export class ValueScanner {
  /** Start offsets of the top-level array's elements (relative to the frame). */
  readonly tops: number[] = []
  private pos = 0
  private readonly stack: number[] = [1]
  private readonly maxBytes: number
  private readonly maxDepth: number

  constructor (maxBytes: number, maxDepth: number) {
    this.maxBytes = maxBytes
    this.maxDepth = maxDepth
  }

  /** Scans `buf[start, end)`; positions are relative to `start`, which must not move between calls. */
  scan (buf: Uint8Array, start: number, end: number): ScanStep {
    const stack = this.stack
    while (stack.length > 0) {
      const at = start + this.pos
      const h = header(buf, at, end)
      if (h === H_MORE) return this.more(end - start)
      if (h === H_INVALID) return fault('bad_msgpack', `invalid msgpack byte 0x${(buf[at] as number).toString(16)} at ${this.pos}`)
      const size = hHead + hPayload
      // A header announcing more than the limit fails now, before its bytes arrive.
      if (this.pos + size > this.maxBytes || hChildren > this.maxBytes) {
        return fault('frame_too_large', `frame exceeds ${this.maxBytes} bytes`)
      }
      if (at + size > end) return this.more(end - start)
      if (stack.length === 2) this.tops.push(this.pos)
      this.pos += size
      stack[stack.length - 1] = (stack[stack.length - 1] as number) - 1
      if (hChildren > 0) {
        if (stack.length >= this.maxDepth) return fault('too_deep', `nesting deeper than ${this.maxDepth}`)
        stack.push(hChildren)
      }
      while (stack.length > 0 && stack[stack.length - 1] === 0) stack.pop()
    }
    return { kind: 'done', end: this.pos }
  }

  private more (buffered: number): ScanStep {
    return buffered > this.maxBytes ? fault('frame_too_large', `frame exceeds ${this.maxBytes} bytes`) : MORE
  }
}

function fault (reason: ForwardFault['reason'], detail: string): ScanStep {
  return { kind: 'fault', fault: { reason, detail } }
}

/** What `FrameBuffer.next()` returns. */
export type FrameStep =
  /** `tops`: start offsets of the top-level array's elements (empty when the frame is not an array). */
  | { kind: 'frame', bytes: Buffer, tops: number[] }
  | { kind: 'more' }
  | { kind: 'fault', fault: ForwardFault }

/**
 * Accumulates reads and cuts them into whole msgpack messages.
 *
 * Bytes are only ever written once: a frame handed out is a view into memory that is never
 * reused (decoded `bin` values in records point into it), so the buffer grows by reallocation
 * and is dropped once drained, instead of being compacted in place.
 */
export class FrameBuffer {
  private buf: Buffer = Buffer.alloc(0)
  private own = false
  private start = 0
  private end = 0
  private scanner: ValueScanner
  private readonly maxFrameBytes: number
  private readonly maxDepth: number

  constructor (maxFrameBytes: number, maxDepth = 64) {
    this.maxFrameBytes = maxFrameBytes
    this.maxDepth = maxDepth
    this.scanner = new ValueScanner(maxFrameBytes, maxDepth)
  }

  /** Bytes received but not yet returned as a frame. */
  get buffered (): number { return this.end - this.start }

  push (chunk: Buffer): void {
    if (chunk.length === 0) return
    if (this.end === this.start) {
      // Nothing pending: scan the read itself, no copy.
      this.buf = chunk
      this.own = false
      this.start = 0
      this.end = chunk.length
      return
    }
    // Append only into memory we allocated, past `end` (never written before).
    if (!this.own || this.buf.length - this.end < chunk.length) {
      const pending = this.end - this.start
      const next = Buffer.allocUnsafe(Math.max(65536, 2 * (pending + chunk.length)))
      this.buf.copy(next, 0, this.start, this.end)
      this.buf = next
      this.own = true
      this.start = 0
      this.end = pending
    }
    chunk.copy(this.buf, this.end)
    this.end += chunk.length
  }

  next (): FrameStep {
    if (this.end === this.start) return { kind: 'more' }
    const step = this.scanner.scan(this.buf, this.start, this.end)
    if (step.kind === 'more') return step
    if (step.kind === 'fault') return step
    const bytes = this.buf.subarray(this.start, this.start + step.end)
    const tops = this.scanner.tops
    this.start += step.end
    this.scanner = new ValueScanner(this.maxFrameBytes, this.maxDepth)
    if (this.start === this.end) {
      this.buf = Buffer.alloc(0)
      this.own = false
      this.start = 0
      this.end = 0
    }
    return { kind: 'frame', bytes, tops }
  }
}
