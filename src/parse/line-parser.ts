// The stateful line parser: what `parseLine` cannot do alone because it needs the neighbouring lines.
//
//   line ─screen─▶ unwrap ─▶ CRI/Docker partial? ── join per stream (≤ maxLineBytes) ──┐
//                                                                                     ▼
//        continuation (blank-led / empty, §1.7)? ── attach to the held event of the same source
//        record ─▶ release the held event of that source, hold the new one
//
// Every source (wrapper + node + pod + container + file + stream + program + pid) holds at most one
// event, released by the next record of that source, by `maxHoldLines` further lines without a
// continuation for it, by `maxOpenSources`, or by `flush()`. So output order is input order within one
// source; across interleaved sources an event can come out after later lines of other sources.
//
// Plain files take a shortcut: a Buffer line of printable ASCII that reads as a bare vlog line (or its
// continuation) goes straight to the vlog parser, with results equal to the full path's
// (test/line-parser-shortcut.test.ts compares them with `createReferenceLineParser`).
import type { OvsEvent, ParseResult, Source, WrapperKind } from '../types.js'
import { defaultSource, internalError, screenLine, type ParseLineOptions } from './parse-line.js'
import { DEFAULT_MAX_LINE_BYTES, LINE_ISSUE_HEAD_BYTES, isLineIssue, type LineIssue } from './read-lines.js'
import { countResult, createStats, type ParseStats } from './stats.js'
import {
  DEFAULT_MAX_UNPARSED_TEXT_BYTES, clipText, isContinuationText, isSyslogContinuation, makeUnparsed, resultFromUnwrapped, unwrapJoined,
  unwrapLine, unwrapRecord, type PartialFrame, type Unwrapped
} from './unwrap.js'
import { StormError } from '../errors.js'
import { createVlogParser } from './vlog.js'
import { createWordView, wordsOf, type WordView } from './word-view.js'

export interface LineParserOptions extends ParseLineOptions {
  /**
   * Most continuation lines attached to one event (a BFD state change has about 25); more are counted and dropped.
   * @default 64
   */
  maxContinuationLines?: number
  /**
   * Most bytes of continuation attached to one event; more are counted and dropped.
   * @default 16384
   */
  maxContinuationBytes?: number
  /**
   * Most sources holding an event or an unfinished partial line at once; beyond, the least recently
   * seen one is released.
   * @default 256
   */
  maxOpenSources?: number
  /**
   * A held event (or unfinished partial line) is released after this many further lines with nothing for it
   * (checked every 16 lines, so up to 15 more).
   * @default 512
   */
  maxHoldLines?: number
}

export interface LineParser {
  /** One physical line (no `\n`), or a problem `readLines` found with one. Returns what became complete. */
  push: (line: string | Buffer | LineIssue) => ParseResult[]
  /**
   * One decoded record (a Forward / JSON object, or a bare string), as `parseRecord` reads it, but with
   * the same joining and continuation handling as `push`: a shipper that forwards each physical line as
   * its own record sends a BFD detail block as ~25 records.
   */
  pushRecord: (record: unknown) => ParseResult[]
  /** Releases everything held (end of input, or input paused). */
  flush: () => ParseResult[]
  readonly stats: ParseStats
}

interface PartialLine {
  parts: string[]
  bytes: number
  source: Source
  inner: WrapperKind
  overflow: boolean
}

interface SourceState {
  held: OvsEvent | undefined
  heldBytes: number
  partial: PartialLine | undefined
  lastLine: number
}

function positiveInt (name: string, v: number | undefined, dflt: number): number {
  const n = v ?? dflt
  if (!Number.isSafeInteger(n) || n < 0) throw new StormError('E_CONFIG', `${name} must be a non-negative integer, got ${String(v)}`)
  return n
}

export function sourceKey (s: Source): string {
  return `${s.wrapper}\u0000${s.node ?? ''}\u0000${s.pod ?? ''}\u0000${s.namespace ?? ''}\u0000${s.container ?? ''}\u0000${s.file ?? ''}\u0000${s.stream ?? ''}\u0000${s.program ?? ''}\u0000${s.pid ?? ''}`
}

// Bytes a line may hold for the plain-line shortcut: printable ASCII, tab and ESC (ANSI colours). Such a
// line is valid UTF-8 with the same text in latin1, has nothing `screenLine` strips (CR, leading NUL) and
// nothing `looksBinary` counts, and no `\n` (so no embedded continuation).
const PLAIN_BYTE = new Uint8Array(256)
for (let b = 0x20; b < 0x7f; b++) PLAIN_BYTE[b] = 1
PLAIN_BYTE[0x09] = 1
PLAIN_BYTE[0x1b] = 1

const HIGH = 0x80808080

// What `buf.toString('latin1', 0, n)` ends in, without its argument checks and encoding lookup (they showed
// in the profile); long-standing in Node but not in @types/node, so looked up once.
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (this: Buffer, start: number, end: number) => string }).latin1Slice

/** Whether every byte of `buf[0, n)` is a `PLAIN_BYTE` (a word with a byte outside 0x20–0x7e is looked at bytewise). */
function isPlainBytes (buf: Buffer, n: number, view: WordView): boolean {
  const off = buf.byteOffset
  let head = (4 - (off & 3)) & 3
  if (head > n) head = n
  for (let i = 0; i < head; i++) if (PLAIN_BYTE[buf[i] as number] === 0) return false
  const words = wordsOf(view, buf)
  const w0 = (off + head) >>> 2
  const wEnd = w0 + ((n - head) >>> 2)
  for (let w = w0; w < wEnd; w++) {
    const x = words[w] as number
    // a high bit: a byte >= 0x80 (x), >= 0x7f (x + 1 per byte), < 0x20 (x - 0x20 per byte). A carry or borrow
    // between bytes comes only from a byte that is itself flagged, so the test is exact
    if (((x | (x + 0x01010101) | (x - 0x20202020)) & HIGH) !== 0) {
      const j = (w << 2) - off
      if (PLAIN_BYTE[buf[j] as number] === 0 || PLAIN_BYTE[buf[j + 1] as number] === 0 ||
        PLAIN_BYTE[buf[j + 2] as number] === 0 || PLAIN_BYTE[buf[j + 3] as number] === 0) return false
    }
  }
  for (let i = (wEnd << 2) - off; i < n; i++) if (PLAIN_BYTE[buf[i] as number] === 0) return false
  return true
}

/** Creates a parser for one input (one file, one connection). Throws `StormError` `E_CONFIG` on bad options. */
export function createLineParser (options: LineParserOptions = {}): LineParser {
  return makeLineParser(options, true)
}

/**
 * The same parser with its plain-line shortcuts off: every line is screened and unwrapped in full. Not
 * for use: the differential tests check the shortcuts against it.
 */
export function createReferenceLineParser (options: LineParserOptions = {}): LineParser {
  return makeLineParser(options, false)
}

function makeLineParser (options: LineParserOptions, shortcuts: boolean): LineParser {
  const maxContLines = positiveInt('maxContinuationLines', options.maxContinuationLines, 64)
  const maxContBytes = positiveInt('maxContinuationBytes', options.maxContinuationBytes, 16384)
  const maxOpen = Math.max(1, positiveInt('maxOpenSources', options.maxOpenSources, 256))
  const maxHold = positiveInt('maxHoldLines', options.maxHoldLines, 512)
  const maxLineBytes = Math.max(1, positiveInt('maxLineBytes', options.maxLineBytes, DEFAULT_MAX_LINE_BYTES))
  const maxText = positiveInt('maxUnparsedTextBytes', options.maxUnparsedTextBytes, DEFAULT_MAX_UNPARSED_TEXT_BYTES)
  const vlog = createVlogParser({ maxUnparsedTextBytes: maxText, maxLineChars: maxLineBytes })
  const stats = createStats()
  // insertion order = least recently touched first
  const states = new Map<string, SourceState>()
  let lineNo = 0

  function emit (out: ParseResult[], r: ParseResult): void {
    countResult(stats, r)
    out.push(r)
  }

  // most lines come from the source of the line before: skip the map for it
  let lastKey: string | undefined
  let lastState: SourceState | undefined

  function lookup (key: string): SourceState | undefined {
    if (key === lastKey) return lastState
    return states.get(key)
  }

  function touch (key: string): SourceState {
    if (key === lastKey && lastState !== undefined) {
      lastState.lastLine = lineNo
      return lastState
    }
    let st = states.get(key)
    if (st === undefined) {
      st = { held: undefined, heldBytes: 0, partial: undefined, lastLine: lineNo }
    } else {
      states.delete(key)
    }
    st.lastLine = lineNo
    states.set(key, st)
    lastKey = key
    lastState = st
    return st
  }

  function settle (key: string, st: SourceState): void {
    if (st.held === undefined && st.partial === undefined) {
      states.delete(key)
      if (key === lastKey) {
        lastKey = undefined
        lastState = undefined
      }
    }
  }

  function release (st: SourceState, out: ParseResult[]): void {
    if (st.held !== undefined) {
      emit(out, st.held)
      st.held = undefined
      st.heldBytes = 0
    }
  }

  /** An unfinished partial line is parsed as it stands, like `parseLine` does. */
  function releasePartial (st: SourceState, out: ParseResult[]): void {
    const p = st.partial
    if (p === undefined) return
    st.partial = undefined
    const text = p.parts.join('')
    if (p.overflow) {
      emit(out, makeUnparsed('too-long', text, p.source, maxText, `partial lines joined to over maxLineBytes (${maxLineBytes}); the rest was skipped`, p.bytes))
      return
    }
    const r = resultFromUnwrapped(unwrapJoined(text, p.source, p.inner, options), vlog)
    emit(out, r)
  }

  function releaseAll (st: SourceState, out: ParseResult[]): void {
    release(st, out)
    releasePartial(st, out)
  }

  function sweep (out: ParseResult[]): void {
    // the hold bound is checked every 16 lines: iterating the map on every line costs more than the whole parse
    if (states.size <= maxOpen && (lineNo & 15) !== 0) return
    for (const [key, st] of states) {
      if (states.size <= maxOpen && st.lastLine + maxHold >= lineNo) break
      releaseAll(st, out)
      states.delete(key)
      if (key === lastKey) {
        lastKey = undefined
        lastState = undefined
      }
    }
  }

  function attach (st: SourceState, text: string, bytes: number): void {
    const ev = st.held as OvsEvent
    const n = ev.continuation?.length ?? 0
    if (n >= maxContLines || st.heldBytes + bytes > maxContBytes) {
      stats.continuationLinesDropped++
      return
    }
    if (ev.continuation === undefined) ev.continuation = [text]
    else ev.continuation.push(text)
    st.heldBytes += bytes
    stats.continuationLines++
  }

  /** A line that is not a continuation: it closes the held event of its source. */
  function record (key: string, result: ParseResult, out: ParseResult[]): void {
    const st = touch(key)
    release(st, out)
    if (result.kind === 'unparsed') emit(out, result)
    else {
      st.held = result
      st.heldBytes = 0
      const cont = result.continuation
      if (cont !== undefined) for (const c of cont) st.heldBytes += Buffer.byteLength(c, 'utf8')
    }
    settle(key, st)
  }

  function continuation (key: string, text: string, source: Source, out: ParseResult[]): void {
    const st = lookup(key)
    if (st?.held !== undefined) {
      touch(key)
      attach(st, text, Buffer.byteLength(text, 'utf8'))
      return
    }
    const code = text.trim() === '' ? 'empty' : 'orphan-continuation'
    emit(out, makeUnparsed(code, text, source, maxText, code === 'empty' ? 'empty line' : 'continuation line with no record before it from the same source'))
  }

  /** CRI `P` / Docker partial fragments: joined per stream until the final fragment. Returns false when `frame` is not part of a partial line. */
  function onFrame (frame: PartialFrame, out: ParseResult[]): boolean {
    const key = sourceKey(frame.source)
    if (!frame.partial && lookup(key)?.partial === undefined) return false
    const st = touch(key)
    if (st.partial === undefined) st.partial = { parts: [], bytes: 0, source: frame.source, inner: frame.inner, overflow: false }
    const p = st.partial
    p.bytes += Buffer.byteLength(frame.text, 'utf8')
    if (!p.overflow) {
      if (p.bytes > maxLineBytes) {
        p.overflow = true
        p.parts = [clipText(p.parts.join('') + frame.text, LINE_ISSUE_HEAD_BYTES)]
      } else p.parts.push(frame.text)
    }
    if (frame.partial) {
      stats.partialLines++
      return true
    }
    // the final fragment: the joined line goes on as one line of that wrapper
    st.partial = undefined
    if (p.overflow) {
      release(st, out)
      emit(out, makeUnparsed('too-long', p.parts.join(''), p.source, maxText, `partial lines joined to over maxLineBytes (${maxLineBytes}); the rest was skipped`, p.bytes))
      settle(key, st)
      return true
    }
    settle(key, st)
    onUnwrapped(unwrapJoined(p.parts.join(''), p.source, p.inner, options), out, true)
    return true
  }

  // plain log files: most lines are bare vlog lines or their continuations, known by their first bytes
  const wrapperOpt = options.wrapper ?? 'auto'
  const bareSource = defaultSource(options)
  const bareKey = sourceKey(bareSource)

  /** The cases `unwrapLine` would call bare anyway: `2024-…|` before any space, `ovs|`, or a blank-led line. */
  function isPlainBare (text: string): boolean {
    if (!shortcuts) return false
    const c = text.charCodeAt(0)
    if (c === 0xfeff) return false // unwrapLine drops the BOM
    if (wrapperOpt === 'bare') return true
    if (wrapperOpt !== 'auto') return false
    if (c === 0x20 || c === 0x09) return true
    if (c >= 0x30 && c <= 0x39) {
      const bar = text.indexOf('|')
      if (bar === -1) return false
      const sp = text.indexOf(' ')
      return sp === -1 || bar < sp
    }
    return c === 0x6f && text.startsWith('ovs|')
  }

  function onUnwrapped (u: Unwrapped, out: ParseResult[], joined: boolean, knownKey?: string): void {
    if (!joined && u.frame !== undefined && onFrame(u.frame, out)) return
    if (u.kind === 'unparsed') {
      record(sourceKey(u.unparsed.source), u.unparsed, out)
    } else if (u.kind === 'envelope') {
      const key = sourceKey(u.envelope.source)
      if (isContinuationText(u.envelope.message) && lookup(key)?.held !== undefined) continuation(key, u.envelope.message, u.envelope.source, out)
      else record(key, resultFromUnwrapped(u, vlog), out)
    } else {
      const key = knownKey ?? sourceKey(u.source)
      if (isContinuationText(u.text) || (isSyslogContinuation(u) && lookup(key)?.held !== undefined)) {
        continuation(key, u.text, u.source, out)
      } else {
        record(key, resultFromUnwrapped(u, vlog), out)
      }
    }
  }

  const bufferShortcut = shortcuts && (wrapperOpt === 'auto' || wrapperOpt === 'bare')
  const view = createWordView()

  /** `isPlainBare` on the bytes of a non-empty line (a BOM is not ASCII: `isPlainBytes` turns it away). */
  function isPlainBareBytes (buf: Buffer): boolean {
    if (wrapperOpt === 'bare') return true
    const c = buf[0] as number
    if (c === 0x20 || c === 0x09) return true
    if (c >= 0x30 && c <= 0x39) {
      // a `|` before any space (the bar of a vlog time comes within 30 bytes: no call into Buffer#indexOf)
      const n = buf.length
      for (let i = 1; i < n; i++) {
        const b = buf[i]
        if (b === 0x7c) return true
        if (b === 0x20) return false
      }
      return false
    }
    return c === 0x6f && buf[1] === 0x76 && buf[2] === 0x73 && buf[3] === 0x7c
  }

  /**
   * The common case in files, a plain-byte bare vlog line or its continuation, with what the full path
   * would do for it and no more: one decode, no wrapper detection, the source copied only into a result.
   * Returns false, having done nothing, for any other line.
   */
  function pushPlain (buf: Buffer, out: ParseResult[]): boolean {
    const n = buf.length
    if (n === 0) {
      // an empty line continues the held event (§1.7); an orphan one becomes an Unparsed on the full path
      const st = lookup(bareKey)
      if (st?.held === undefined) return false
      touch(bareKey)
      attach(st, '', 0)
      return true
    }
    if (n > maxLineBytes || !isPlainBareBytes(buf) || !isPlainBytes(buf, n, view)) return false
    // plain bytes are ASCII: latin1 is the same text as UTF-8, and cheaper to make
    const text = latin1Slice === undefined ? buf.toString('latin1', 0, n) : latin1Slice.call(buf, 0, n)
    stats.bytes += n
    if (isContinuationText(text)) {
      const st = lookup(bareKey)
      if (st?.held !== undefined) {
        touch(bareKey)
        attach(st, text, n)
      } else continuation(bareKey, text, { ...bareSource }, out)
    } else record(bareKey, vlog(text, { ...bareSource }), out)
    return true
  }

  function pushFull (line: string | Buffer | LineIssue, out: ParseResult[]): void {
    // a line that fails before unwrapping closes the held record of the plain-file source, so a bare file keeps its order
    if (isLineIssue(line)) {
      stats.bytes += line.bytes
      const u = makeUnparsed(line.code, line.head.toString('utf8'), defaultSource(options), maxText, line.detail, line.bytes)
      record(sourceKey(u.source), u, out)
      return
    }
    stats.bytes += typeof line === 'string' ? Buffer.byteLength(line, 'utf8') : line.length
    const text = screenLine(line, options, maxText)
    if (typeof text !== 'string') record(sourceKey(text.source), text, out)
    else if (isPlainBare(text)) onUnwrapped({ kind: 'text', text, source: { ...bareSource }, partial: false, inner: 'bare' }, out, false, bareKey)
    else onUnwrapped(unwrapLine(text, options), out, false)
  }

  function push (line: string | Buffer | LineIssue): ParseResult[] {
    const out: ParseResult[] = []
    lineNo++
    stats.lines++
    try {
      if (!(bufferShortcut && Buffer.isBuffer(line) && pushPlain(line, out))) pushFull(line, out)
    } catch (err) {
      emit(out, internalError(isLineIssue(line) ? line.head : line, options, maxText, err))
    }
    sweep(out)
    return out
  }

  function pushRecord (rec: unknown): ParseResult[] {
    const out: ParseResult[] = []
    lineNo++
    stats.lines++
    try {
      if (typeof rec === 'string') stats.bytes += Buffer.byteLength(rec, 'utf8')
      onUnwrapped(unwrapRecord(rec, options), out, false)
    } catch (err) {
      emit(out, internalError('', options, maxText, err))
    }
    sweep(out)
    return out
  }

  function flush (): ParseResult[] {
    const out: ParseResult[] = []
    for (const st of states.values()) releaseAll(st, out)
    states.clear()
    lastKey = undefined
    lastState = undefined
    return out
  }

  return { push, pushRecord, flush, stats }
}

export interface ParsedLines extends AsyncIterable<ParseResult> {
  /** Counters so far; final once iteration ended. */
  readonly stats: ParseStats
}

/**
 * Parses a stream of lines (from `readLines` / `openLines`, or any iterable of strings / Buffers) as one
 * input; held events are flushed at the end.
 */
export function parseLines (
  input: AsyncIterable<string | Buffer | LineIssue> | Iterable<string | Buffer | LineIssue>,
  options: LineParserOptions = {}
): ParsedLines {
  const parser = createLineParser(options)
  async function * run (): AsyncGenerator<ParseResult> {
    for await (const line of input) yield * parser.push(line)
    yield * parser.flush()
  }
  return {
    get stats () { return parser.stats },
    [Symbol.asyncIterator]: () => run()
  }
}
