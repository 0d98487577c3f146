// Byte stream → physical lines, never holding more than `maxLineBytes` of one line. Gzip is detected by
// its magic bytes (1f 8b), not by the file name, so rotated `.1`, `.gz` and piped archives all work.
// Lines are handed on as raw bytes: UTF-8 validity and binary garbage are judged per line by the line
// parser, so one bad line never stops the stream.
import { open } from 'node:fs/promises'
import { createGunzip } from 'node:zlib'
import { StormError } from '../errors.js'

/** A line that could not be handed on whole. */
export interface LineIssue {
  kind: 'line-issue'
  /** `too-long`: over `maxLineBytes` (head kept, the rest skipped); `truncated`: the compressed stream broke off. */
  code: 'too-long' | 'truncated'
  /** The first bytes of the line (at most `LINE_ISSUE_HEAD_BYTES`). */
  head: Buffer
  /** Length of the whole line in bytes. */
  bytes: number
  detail: string
}

/** One physical line without its `\n` / `\r\n`, or a problem with one. */
export type RawLine = Buffer | LineIssue

/**
 * The lines of one read chunk. Lines wholly inside the chunk are not copied or sliced: they are
 * `buf[bounds[2i], bounds[2i + 1])`, without `\n` and a trailing CR.
 */
export interface LineBlock {
  /** Lines that come before the ones in `buf`: one completed across reads, or a line issue. */
  pre: RawLine[]
  /** The chunk the `bounds` lines are in. */
  buf: Buffer
  /** Start and end offset in `buf` of each line, in pairs. */
  bounds: number[]
}

/** The lines of a block as `RawLine`s (one Buffer per line). */
export function blockLines (block: LineBlock): RawLine[] {
  const out = block.pre.slice()
  const b = block.bounds
  for (let i = 0; i < b.length; i += 2) out.push(block.buf.subarray(b[i] as number, b[i + 1] as number))
  return out
}

export function isLineIssue (value: unknown): value is LineIssue {
  return typeof value === 'object' && value !== null && !Buffer.isBuffer(value) && (value as { kind?: unknown }).kind === 'line-issue'
}

export interface ReadLinesOptions {
  /**
   * Longest line kept, in bytes; a longer one becomes one `too-long` issue and the rest of it is skipped.
   * @default 1048576 (1 MiB)
   */
  maxLineBytes?: number
  /**
   * Decompress when the stream starts with the gzip magic bytes.
   * @default true
   */
  gunzip?: boolean
}

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024
/** How much of an over-long line is kept for the `Unparsed` text. */
export const LINE_ISSUE_HEAD_BYTES = 4096

function validMax (n: number | undefined): number {
  const v = n ?? DEFAULT_MAX_LINE_BYTES
  if (!Number.isSafeInteger(v) || v < 1) throw new StormError('E_CONFIG', `maxLineBytes must be a positive integer, got ${String(n)}`)
  return v
}

/** Splits chunks into lines; state is the unfinished line only, bounded by `maxLineBytes`. */
class LineSplitter {
  private readonly max: number
  private parts: Buffer[] = []
  private partBytes = 0
  /** Bytes of the current line so far once it went over the limit (then `parts` holds only the head). */
  private overBytes = -1

  constructor (maxLineBytes: number) {
    this.max = maxLineBytes
  }

  /**
   * Splits one chunk without a Buffer per line: lines wholly inside it become offsets into it. A line
   * completed across reads, or one over the limit, is a `pre` line of the block (a new block starts
   * after an over-long line in the middle, so the order of lines is kept).
   */
  feed (chunk: Buffer, out: LineBlock[]): void {
    let block: LineBlock = { pre: [], buf: chunk, bounds: [] }
    let pos = 0
    if (this.partBytes > 0 || this.overBytes >= 0) {
      const nl = chunk.indexOf(10)
      if (nl === -1) {
        this.take(chunk)
        return
      }
      this.take(chunk.subarray(0, nl))
      this.emit(block.pre)
      pos = nl + 1
    }
    for (;;) {
      const nl = chunk.indexOf(10, pos)
      if (nl === -1) break
      if (nl - pos > this.max) {
        // the issue leads a new block: the lines after it follow it there
        if (block.pre.length > 0 || block.bounds.length > 0) out.push(block)
        block = { pre: [], buf: chunk, bounds: [] }
        this.take(chunk.subarray(pos, nl))
        this.emit(block.pre)
      } else {
        block.bounds.push(pos, nl > pos && chunk[nl - 1] === 13 ? nl - 1 : nl)
      }
      pos = nl + 1
    }
    if (block.pre.length > 0 || block.bounds.length > 0) out.push(block)
    if (pos < chunk.length) this.take(chunk.subarray(pos))
  }

  end (out: RawLine[]): void {
    if (this.partBytes > 0 || this.overBytes >= 0) this.emit(out)
  }

  /** Stops at the current line, reported as cut short (corrupt compressed input). */
  truncate (out: RawLine[], detail: string): void {
    const bytes = this.overBytes >= 0 ? this.overBytes : this.partBytes
    const head = Buffer.concat(this.parts).subarray(0, LINE_ISSUE_HEAD_BYTES)
    this.reset()
    out.push({ kind: 'line-issue', code: 'truncated', head, bytes, detail })
  }

  private take (seg: Buffer): void {
    if (seg.length === 0) return
    if (this.overBytes >= 0) {
      this.overBytes += seg.length
      const head = this.parts[0] ?? Buffer.alloc(0)
      if (head.length < LINE_ISSUE_HEAD_BYTES) this.parts = [Buffer.concat([head, seg.subarray(0, LINE_ISSUE_HEAD_BYTES - head.length)])]
      return
    }
    if (this.partBytes + seg.length > this.max) {
      // keep a head for the report, drop the rest as it streams by
      const all = this.parts.length === 0 ? seg : Buffer.concat([...this.parts, seg.subarray(0, LINE_ISSUE_HEAD_BYTES)])
      this.parts = [Buffer.from(all.subarray(0, LINE_ISSUE_HEAD_BYTES))]
      this.overBytes = this.partBytes + seg.length
      this.partBytes = 0
      return
    }
    this.parts.push(seg)
    this.partBytes += seg.length
  }

  private emit (out: RawLine[]): void {
    if (this.overBytes >= 0) {
      out.push({
        kind: 'line-issue',
        code: 'too-long',
        head: this.parts[0] ?? Buffer.alloc(0),
        bytes: this.overBytes,
        detail: `line of ${this.overBytes} bytes is longer than maxLineBytes (${this.max}); the rest was skipped`
      })
    } else {
      let line = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.partBytes)
      if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, -1)
      out.push(line)
    }
    this.reset()
  }

  private reset (): void {
    this.parts = []
    this.partBytes = 0
    this.overBytes = -1
  }
}

function toBuffer (chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  return Buffer.from(String(chunk), 'utf8')
}

/** Marks an error of the underlying stream (I/O), as opposed to corrupt compressed content. */
class SourceError extends Error {
  readonly original: unknown
  constructor (original: unknown) {
    super(original instanceof Error ? original.message : String(original))
    this.original = original
  }
}

const EMPTY = Buffer.alloc(0)

function preBlock (pre: RawLine[]): LineBlock {
  return { pre, buf: EMPTY, bounds: [] }
}

/**
 * Lines in blocks (one per input chunk, more when an over-long line sits inside one), without a
 * Buffer per line: the fastest way through a large input. Throws only when the underlying stream
 * fails (an I/O error); corrupt gzip ends the lines with a `truncated` issue.
 */
export async function * readLineBlocks (stream: AsyncIterable<Buffer | Uint8Array | string>, options: ReadLinesOptions = {}): AsyncGenerator<LineBlock> {
  const splitter = new LineSplitter(validMax(options.maxLineBytes))
  const it = stream[Symbol.asyncIterator]()
  // enough bytes to see the magic number
  let first: Buffer = Buffer.alloc(0)
  let done = false
  while (first.length < 2) {
    const r = await it.next()
    if (r.done === true) { done = true; break }
    first = first.length === 0 ? toBuffer(r.value) : Buffer.concat([first, toBuffer(r.value)])
  }
  if (options.gunzip !== false && first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b) {
    yield * gunzipBlocks(first, done ? undefined : it, splitter)
    return
  }
  const out: LineBlock[] = []
  if (first.length > 0) splitter.feed(first, out)
  for (const b of out.splice(0)) yield b
  while (!done) {
    const r = await it.next()
    if (r.done === true) break
    splitter.feed(toBuffer(r.value), out)
    for (const b of out.splice(0)) yield b
  }
  const last: RawLine[] = []
  splitter.end(last)
  if (last.length > 0) yield preBlock(last)
}

/** Line blocks decompressed ahead of the reader at most; past this the compressed input waits. */
const MAX_PENDING_BLOCKS = 16

/**
 * Gunzip as a flowing stream whose output is split into lines the moment zlib emits it: a paused or
 * iterated stream drops what it buffered when corrupt input destroys it, so how many lines of a
 * truncated file were read would depend on how fast the reader was. Here it does not: every line zlib
 * produced before the fault is handed on, then the `truncated` issue. The compressed input is fed only
 * while fewer than MAX_PENDING_BLOCKS blocks wait, so memory stays bounded.
 */
async function * gunzipBlocks (first: Buffer, rest: AsyncIterator<Buffer | Uint8Array | string> | undefined, splitter: LineSplitter): AsyncGenerator<LineBlock> {
  const gunzip = createGunzip()
  const pending: LineBlock[] = []
  let corrupt: unknown = null
  let source: SourceError | null = null
  let ended = false
  let stopped = false
  let wakeReader: (() => void) | null = null
  let wakeFeeder: (() => void) | null = null
  const toReader = (): void => { const w = wakeReader; wakeReader = null; w?.() }
  const toFeeder = (): void => { const w = wakeFeeder; wakeFeeder = null; w?.() }
  gunzip.on('data', (chunk: Buffer) => { splitter.feed(chunk, pending); toReader() })
  gunzip.on('end', () => { ended = true; toReader() })
  // a chunk that fails never has its write callback called: the error settles it
  let writeSettled: (() => void) | null = null
  gunzip.on('error', (err) => { corrupt = err; writeSettled?.(); toReader(); toFeeder() })
  gunzip.on('close', () => { writeSettled?.() })
  gunzip.on('drain', toFeeder)

  async function feed (): Promise<void> {
    let chunk: Buffer | null = first
    let written: Promise<void> = Promise.resolve()
    while (chunk !== null) {
      while (pending.length >= MAX_PENDING_BLOCKS && corrupt === null && !stopped) await new Promise<void>((resolve) => { wakeFeeder = resolve })
      if (corrupt !== null || stopped) return
      let flowing = true
      const toWrite = chunk
      written = new Promise<void>((resolve) => {
        writeSettled = resolve
        flowing = gunzip.write(toWrite, () => resolve())
      })
      if (!flowing) {
        await new Promise<void>((resolve) => { wakeFeeder = resolve })
        if (corrupt !== null || stopped) return
      }
      if (rest === undefined) break
      let r: IteratorResult<Buffer | Uint8Array | string>
      try {
        r = await rest.next()
      } catch (err) {
        source = new SourceError(err)
        toReader()
        return
      }
      chunk = r.done === true ? null : toBuffer(r.value)
    }
    // zlib finishes the last chunk written before end() with Z_FINISH, and a truncated stream then fails
    // without emitting that chunk's output: end() only once the last chunk has gone through
    await written
    if (corrupt === null && !stopped) gunzip.end()
  }
  const feeding = feed()

  try {
    for (;;) {
      const block = pending.shift()
      if (block !== undefined) {
        if (pending.length < MAX_PENDING_BLOCKS) toFeeder()
        yield block
        continue
      }
      if (source !== null) throw (source as SourceError).original
      if (corrupt !== null) {
        const last: RawLine[] = []
        splitter.truncate(last, `gzip: ${corrupt instanceof Error ? corrupt.message : String(corrupt)}`)
        yield preBlock(last)
        return
      }
      if (ended) break
      await new Promise<void>((resolve) => { wakeReader = resolve })
    }
  } finally {
    stopped = true
    toFeeder()
    if (!ended) gunzip.destroy()
    await feeding
    // a reader that stops early closes the input (a file handle behind `rest`)
    if (rest !== undefined && !ended) {
      try {
        await rest.return?.()
      } catch {}
    }
  }
  const last: RawLine[] = []
  splitter.end(last)
  if (last.length > 0) yield preBlock(last)
}

/**
 * Lines in batches (one per input chunk). Throws only when the underlying stream fails (an I/O
 * error); corrupt gzip ends the lines with a `truncated` issue.
 */
export async function * readLineBatches (stream: AsyncIterable<Buffer | Uint8Array | string>, options: ReadLinesOptions = {}): AsyncGenerator<RawLine[]> {
  for await (const block of readLineBlocks(stream, options)) yield blockLines(block)
}

/** Lines of a byte stream, one by one (see `readLineBatches`). */
export async function * readLines (stream: AsyncIterable<Buffer | Uint8Array | string>, options: ReadLinesOptions = {}): AsyncGenerator<RawLine> {
  for await (const batch of readLineBatches(stream, options)) yield * batch
}

/**
 * Opens a file and reads its lines in batches. A file that cannot be opened throws a `StormError`
 * `E_IO` naming it, on the first `next()`.
 */
export async function * openLineBatches (path: string, options: ReadLinesOptions = {}): AsyncGenerator<RawLine[]> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (err) {
    throw new StormError('E_IO', `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
  const stream = handle.createReadStream({ highWaterMark: 256 * 1024 })
  try {
    yield * readLineBatches(stream, options)
  } catch (err) {
    throw new StormError('E_IO', `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  } finally {
    stream.destroy()
    await handle.close().catch(() => undefined)
  }
}

/** Lines of a file, one by one (see `openLineBatches`). */
export async function * openLines (path: string, options: ReadLinesOptions = {}): AsyncGenerator<RawLine> {
  for await (const batch of openLineBatches(path, options)) yield * batch
}
