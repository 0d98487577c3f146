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

/**
 * Header of the msgpack value at `pos`: its header length, and either the byte length of its
 * payload or its number of child values. `null` when the header is not complete yet.
 */
function header (buf: Uint8Array, pos: number, end: number): { head: number, payload: number, children: number } | null | 'invalid' {
  if (pos >= end) return null
  const b = buf[pos] as number
  if (b <= 0x7f || b >= 0xe0) return { head: 1, payload: 0, children: 0 }
  if (b <= 0x8f) return { head: 1, payload: 0, children: (b & 0x0f) * 2 }
  if (b <= 0x9f) return { head: 1, payload: 0, children: b & 0x0f }
  if (b <= 0xbf) return { head: 1, payload: b & 0x1f, children: 0 }
  const need = (n: number): boolean => pos + n <= end
  const u8 = (): number => buf[pos + 1] as number
  const u16 = (): number => ((buf[pos + 1] as number) << 8) | (buf[pos + 2] as number)
  const u32 = (): number => (((buf[pos + 1] as number) * 0x1000000) + (((buf[pos + 2] as number) << 16) | ((buf[pos + 3] as number) << 8) | (buf[pos + 4] as number)))
  switch (b) {
    case 0xc0: case 0xc2: case 0xc3: return { head: 1, payload: 0, children: 0 }
    case 0xc4: case 0xd9: return need(2) ? { head: 2, payload: u8(), children: 0 } : null
    case 0xc5: case 0xda: return need(3) ? { head: 3, payload: u16(), children: 0 } : null
    case 0xc6: case 0xdb: return need(5) ? { head: 5, payload: u32(), children: 0 } : null
    // ext 8/16/32: length, then one type byte that belongs to the header
    case 0xc7: return need(2) ? { head: 3, payload: u8(), children: 0 } : null
    case 0xc8: return need(3) ? { head: 4, payload: u16(), children: 0 } : null
    case 0xc9: return need(5) ? { head: 6, payload: u32(), children: 0 } : null
    case 0xca: return { head: 5, payload: 0, children: 0 }
    case 0xcb: return { head: 9, payload: 0, children: 0 }
    case 0xcc: case 0xd0: return { head: 2, payload: 0, children: 0 }
    case 0xcd: case 0xd1: return { head: 3, payload: 0, children: 0 }
    case 0xce: case 0xd2: return { head: 5, payload: 0, children: 0 }
    case 0xcf: case 0xd3: return { head: 9, payload: 0, children: 0 }
    case 0xd4: return { head: 3, payload: 0, children: 0 }
    case 0xd5: return { head: 4, payload: 0, children: 0 }
    case 0xd6: return { head: 6, payload: 0, children: 0 }
    case 0xd7: return { head: 10, payload: 0, children: 0 }
    case 0xd8: return { head: 18, payload: 0, children: 0 }
    case 0xdc: return need(3) ? { head: 3, payload: 0, children: u16() } : null
    case 0xdd: return need(5) ? { head: 5, payload: 0, children: u32() } : null
    case 0xde: return need(3) ? { head: 3, payload: 0, children: u16() * 2 } : null
    case 0xdf: return need(5) ? { head: 5, payload: 0, children: u32() * 2 } : null
    default: return 'invalid' // 0xc1 is never used
  }
}

/**
 * Resumable scan of one msgpack value. Keeps the position and the stack of remaining child
 * counts between calls, so bytes already walked are never walked again.
 */
export class ValueScanner {
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
      if (h === null) return this.more(end - start)
      if (h === 'invalid') return fault('bad_msgpack', `invalid msgpack byte 0x${(buf[at] as number).toString(16)} at ${this.pos}`)
      const size = h.head + h.payload
      // A header announcing more than the limit fails now, before its bytes arrive.
      if (this.pos + size > this.maxBytes || h.children > this.maxBytes) {
        return fault('frame_too_large', `frame exceeds ${this.maxBytes} bytes`)
      }
      if (at + size > end) return this.more(end - start)
      this.pos += size
      stack[stack.length - 1] = (stack[stack.length - 1] as number) - 1
      if (h.children > 0) {
        if (stack.length >= this.maxDepth) return fault('too_deep', `nesting deeper than ${this.maxDepth}`)
        stack.push(h.children)
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
  | { kind: 'frame', bytes: Buffer }
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
    this.start += step.end
    this.scanner = new ValueScanner(this.maxFrameBytes, this.maxDepth)
    if (this.start === this.end) {
      this.buf = Buffer.alloc(0)
      this.own = false
      this.start = 0
      this.end = 0
    }
    return { kind: 'frame', bytes }
  }
}
