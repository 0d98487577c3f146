// Byte-level prefilter for plain (bare) vlog files: decides, before any string is made, whether a line
// can matter to anything downstream. Most lines of a real night are envelope-only noise of modules no
// template and no rule reads (poll_loop, inc_proc_eng, reconnect, timeval…): they parse to kind `vlog`
// and the scan drops them anyway. Recognising them from their bytes spares the UTF-8 decode, the
// unwrap, the envelope regex and the event object.
//
// It only ever skips what the line parser would turn into an event the scan drops, so it is exact,
// not a heuristic (test/prefilter.test.ts checks it differentially against the parser):
// - a noise record: a clean bare vlog line (`TS|serial|module[(thread)]|LEVEL|message`, or `ovs|…`)
//   whose module is outside `TEMPLATE_MODULES` and whose message is not `Dropped …` (kind `vlog-dropped`
//   is parsed under any module). Anything the bytes leave unsure of (control bytes, a date the month
//   does not have, a two-digit year…) goes the normal path;
// - the continuation lines (§1.7: empty or blank-led) the parser would only attach to the event it
//   holds: the skipped record, or a kept one (no rule reads continuation text; the scan's tests check
//   that reports do not change). One the parser would make an Unparsed of (binary, orphan) is parsed.
// A file is only prefiltered while every line looks bare (all lines one source, so skipping a record
// cannot reorder what the parser releases): the first line of any other shape (CRI, JSON, syslog…)
// switches the prefilter off for the rest of the file.
import { isUtf8 } from 'node:buffer'
import { screenLine } from './parse-line.js'
import { TEMPLATE_MODULES } from './vlog.js'
import type { ParseResult } from '../types.js'
import { createWordView, wordsOf, type WordView } from './word-view.js'

export { TEMPLATE_MODULES }

/**
 * How one line looks from its bytes:
 * - `noise`: a clean bare vlog record of a module outside `TEMPLATE_MODULES`, not `Dropped …` (kind `vlog`);
 * - `continuation`: empty or starting with a blank (§1.7);
 * - `bare`: another line the line parser reads as a plain bare line (same source as `noise`);
 * - `other`: anything else (a wrapper, or a shape the bytes cannot vouch for).
 */
export type LineShape = 'noise' | 'continuation' | 'bare' | 'other'

/** What to do with one line. `skip-event`: counted as one event of kind `vlog` (time in `timeMs`); `skip-line`: counted as a line only. */
export type PrefilterDecision = 'skip-event' | 'skip-line' | 'parse'

/** Length of the vlog level at `p` followed by `|` (EMER, ERR, WARN, INFO, DBG), 0 when there is none. */
function levelLength (buf: Uint8Array, p: number, end: number): number {
  // byte by byte, no strings: this runs on every line
  if (p + 4 > end) return 0 // even `DBG|` is four bytes
  const c0 = buf[p]
  const c1 = buf[p + 1]
  const c2 = buf[p + 2]
  const c3 = buf[p + 3]
  if (c0 === 0x49) return c1 === 0x4e && c2 === 0x46 && c3 === 0x4f && at(buf, p + 4, end) === 0x7c ? 4 : 0 // INFO
  if (c0 === 0x57) return c1 === 0x41 && c2 === 0x52 && c3 === 0x4e && at(buf, p + 4, end) === 0x7c ? 4 : 0 // WARN
  if (c0 === 0x44) return c1 === 0x42 && c2 === 0x47 && c3 === 0x7c ? 3 : 0 // DBG
  if (c0 !== 0x45) return 0
  if (c1 === 0x52) return c2 === 0x52 && c3 === 0x7c ? 3 : 0 // ERR
  return c1 === 0x4d && c2 === 0x45 && c3 === 0x52 && at(buf, p + 4, end) === 0x7c ? 4 : 0 // EMER
}
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function isDigit (c: number): boolean {
  return c >= 48 && c <= 57
}

function equalsAscii (buf: Uint8Array, start: number, end: number, s: string): boolean {
  if (end - start !== s.length) return false
  for (let i = 0; i < s.length; i++) if (buf[start + i] !== s.charCodeAt(i)) return false
  return true
}

/** The template modules by length: most modules are none of them, and their length says so without comparing bytes. */
const TEMPLATE_BY_LENGTH: Array<readonly string[] | undefined> = []
for (const m of TEMPLATE_MODULES) TEMPLATE_BY_LENGTH[m.length] = [...(TEMPLATE_BY_LENGTH[m.length] ?? []), m]

function isTemplateModule (buf: Uint8Array, start: number, end: number): boolean {
  const ms = TEMPLATE_BY_LENGTH[end - start]
  if (ms === undefined) return false
  for (const m of ms) if (equalsAscii(buf, start, end, m)) return true
  return false
}

/** The byte at `i`, or -1 past the end of the line (`buf` is a whole read chunk: the next line follows). */
function at (buf: Uint8Array, i: number, end: number): number {
  return i < end ? buf[i] as number : -1
}

/** 1 for a byte that may start a module name (`[A-Za-z_]`), 2 for one that may only follow (`[0-9]`). */
const MODULE_BYTE = new Uint8Array(256)
for (let c = 0; c < 256; c++) MODULE_BYTE[c] = c === 0x5f || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ? 1 : isDigit(c) ? 2 : 0

const TS_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12]

function num (buf: Uint8Array, at: number, n: number): number {
  let v = 0
  for (let i = at; i < at + n; i++) v = v * 10 + (buf[i] as number) - 48
  return v
}

/** Two digits at `i` as a number, -1 when they are not digits. */
function twoDigits (buf: Uint8Array, i: number): number {
  const a = (buf[i] as number) - 48
  const b = (buf[i + 1] as number) - 48
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1
}

/** Line classification with the hour memo of the timestamps (lines of one log share the hour). */
export class LineClassifier {
  /** Event time of the last `noise` line: epoch ms, or null for the `ovs|` pattern (no timestamp). */
  timeMs: number | null = null
  /** The `YYYY-MM-DDTHH` bytes of the last valid timestamp, and that hour in epoch ms. */
  readonly #hour = new Uint8Array(13)
  #hourMs = NaN
  readonly #view: WordView = createWordView()

  #sameHour (buf: Uint8Array, p: number): boolean {
    const h = this.#hour
    // hour digits first: they are the ones that change
    for (let k = 12; k >= 0; k--) if (buf[p + k] !== h[k]) return false
    return true
  }

  /** Checks the date and hour at `p` and remembers them; false when they are not a valid date and hour. */
  #newHour (buf: Uint8Array, p: number): boolean {
    for (let k = 0; k < TS_DIGITS.length; k++) if (!isDigit(buf[p + (TS_DIGITS[k] as number)] as number)) return false
    if (buf[p + 4] !== 0x2d || buf[p + 7] !== 0x2d || buf[p + 10] !== 0x54) return false
    const y = num(buf, p, 4)
    const mo = num(buf, p + 5, 2)
    const d = num(buf, p + 8, 2)
    const h = num(buf, p + 11, 2)
    if (y < 100 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23) return false
    const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
    if (d > (mo === 2 && leap ? 29 : DAYS[mo - 1] ?? 0)) return false
    for (let k = 0; k < 13; k++) this.#hour[k] = buf[p + k] as number
    this.#hourMs = Date.UTC(y, mo - 1, d, h)
    return true
  }

  /** Classifies `buf[start, end)` (one physical line, no `\n`, trailing CR already removed as the line splitter does). */
  shape (buf: Uint8Array, start: number, end: number): LineShape {
    if (start >= end) return 'continuation'
    const c0 = buf[start] as number
    if (c0 === 0x20 || c0 === 0x09) return 'continuation'
    if (isDigit(c0)) {
      const r = this.#record(buf, start, end)
      if (r !== null) return r
      // what line-parser.ts `isPlainBare` calls bare: a `|` before any space
      for (let i = start; i < end; i++) {
        const c = buf[i]
        if (c === 0x7c) return 'bare'
        if (c === 0x20) return 'other'
      }
      return 'other'
    }
    if (c0 === 0x6f && end - start >= 4 && buf[start + 1] === 0x76 && buf[start + 2] === 0x73 && buf[start + 3] === 0x7c) {
      return this.#record(buf, start, end) ?? 'bare'
    }
    return 'other'
  }

  /** `noise` or `bare` for a line with a valid envelope, null when unsure (the caller decides between `bare` and `other`). */
  #record (buf: Uint8Array, start: number, end: number): LineShape | null {
    let p = start
    let timeMs: number | null = null
    if (buf[p] === 0x6f) {
      p += 3 // `ovs`
    } else {
      // YYYY-MM-DDTHH:MM:SS[.f{1,9}][Z]
      if (end - p < 19) return null
      // lines of one log share the hour: its 13 bytes are checked once, then only compared
      if (!this.#sameHour(buf, p) && !this.#newHour(buf, p)) return null
      if (buf[p + 13] !== 0x3a || buf[p + 16] !== 0x3a) return null
      const mi = twoDigits(buf, p + 14)
      const s = twoDigits(buf, p + 17)
      if (mi < 0 || mi > 59 || s < 0 || s > 59) return null
      p += 19
      let ms = 0
      if (at(buf, p, end) === 0x2e) {
        p++
        let n = 0
        let scale = 100
        while (p < end && isDigit(buf[p] as number)) {
          if (scale >= 1) { ms += ((buf[p] as number) - 48) * scale; scale /= 10 }
          p++
          n++
        }
        if (n < 1 || n > 9) return null
      }
      if (at(buf, p, end) === 0x5a) p++
      timeMs = this.#hourMs + mi * 60_000 + s * 1000 + ms
    }
    if (at(buf, p++, end) !== 0x7c) return null
    // serial
    const serialStart = p
    while (p < end && isDigit(buf[p] as number)) p++
    if (p === serialStart || at(buf, p++, end) !== 0x7c) return null
    // module
    const modStart = p
    if (p >= end || MODULE_BYTE[buf[p] as number] !== 1) return null
    p++
    while (p < end && MODULE_BYTE[buf[p] as number] !== 0) p++
    const modEnd = p
    // from here on bytes are not all checked by the envelope (thread, message)
    const free = p
    // (thread): anything but `)` and `|`
    if (at(buf, p, end) === 0x28) {
      p++
      while (p < end && buf[p] !== 0x29 && buf[p] !== 0x7c) p++
      if (at(buf, p, end) !== 0x29) return null
      p++
    }
    if (at(buf, p++, end) !== 0x7c) return null
    const level = levelLength(buf, p, end)
    if (level === 0) return null
    p += level + 1
    // the envelope is valid: from here on the line is at least `bare`
    if (isTemplateModule(buf, modStart, modEnd)) return 'bare'
    if (buf[p] === 0x44 && equalsAscii(buf, p, Math.min(end, p + 8), 'Dropped ')) return 'bare'
    if (!isClean(buf, free, end, this.#view)) return 'bare'
    this.timeMs = timeMs
    return 'noise'
  }
}

/** Byte classes: 0 plain printable ASCII or tab, 1 non-ASCII (UTF-8 to check), 2 a control byte or DEL. */
const BYTE_CLASS = new Uint8Array(256)
for (let c = 0; c < 256; c++) BYTE_CLASS[c] = c >= 0x80 ? 1 : (c < 0x20 && c !== 0x09) || c === 0x7f ? 2 : 0

const HIGH = 0x80808080

/**
 * No control bytes (tab aside), no DEL, and valid UTF-8: `screenLine` hands such a line on unchanged.
 * Four bytes at a time: a word with a byte outside 0x20–0x7e has a high bit in `x | x + 0x01… | x - 0x20…`
 * (a carry or borrow between bytes comes only from a byte that is itself flagged), and only such a
 * word is looked at bytewise.
 */
function isClean (buf: Uint8Array, start: number, end: number, view: WordView): boolean {
  let ascii = true
  const off = buf.byteOffset
  let i = start
  const wordsFrom = Math.min(end, start + ((4 - ((off + start) & 3)) & 3))
  for (; i < wordsFrom; i++) {
    const k = BYTE_CLASS[buf[i] as number] as number
    if (k === 2) return false
    if (k === 1) ascii = false
  }
  const nWords = (end - i) >>> 2
  if (nWords > 0) {
    const words = wordsOf(view, buf)
    const w0 = (off + i) >>> 2
    const wEnd = w0 + nWords
    for (let w = w0; w < wEnd; w++) {
      const x = words[w] as number
      if (((x | (x + 0x01010101) | (x - 0x20202020)) & HIGH) !== 0) {
        const j = (w << 2) - off
        const k = (BYTE_CLASS[buf[j] as number] as number) | (BYTE_CLASS[buf[j + 1] as number] as number) |
          (BYTE_CLASS[buf[j + 2] as number] as number) | (BYTE_CLASS[buf[j + 3] as number] as number)
        if ((k & 2) !== 0) return false
        if (k !== 0) ascii = false
      }
    }
    i += nWords << 2
  }
  for (; i < end; i++) {
    const k = BYTE_CLASS[buf[i] as number] as number
    if (k === 2) return false
    if (k === 1) ascii = false
  }
  return ascii || isUtf8(buf.subarray(start, end))
}

/** The event-time window of `skim` (epoch ms, inclusive; ±Infinity for none). */
export interface SkimWindow {
  sinceMs: number
  untilMs: number
}

/** What `skim` skipped; it adds to the counts and widens the times, the caller resets them. */
export interface SkimTally {
  /** Lines skipped. */
  lines: number
  /** Of them, records: each an event of kind `vlog` the scan drops. */
  events: number
  /** Of those, records with a time outside the window. */
  outsideWindow: number
  /** Earliest and latest time of the skipped records inside the window, null for none. */
  firstMs: number | null
  lastMs: number | null
}

export interface PrefilterOptions {
  /**
   * Longest line, in bytes (as given to the line parser): a continuation line is only judged by `screenLine` within it.
   * @default 1048576
   */
  maxLineBytes?: number
}

/**
 * The per-file state: whether the file still looks all bare, and whether the parser holds an event
 * for it (then continuation lines would only be attached to it, and are skipped: no rule reads the
 * continuation text of an event). Pure: no I/O.
 */
export class Prefilter {
  readonly classifier = new LineClassifier()
  /** False once a line of another shape was seen: the rest of the file goes the normal path. */
  active = true
  /** The parser holds an event of the file's bare source (or would, for a skipped record). */
  #held = false
  /** The last line handed to the parser was a record (not a continuation). */
  #record = false
  /** Where the last record is when it was skipped and is (virtually) the held event. */
  #skipBuf: Buffer | null = null
  #skipStart = 0
  #skipEnd = 0
  /**
   * Set by the `decide` that switches the prefilter off while the held event is a skipped record: the
   * parser holds an older event, which that record would have released. The caller pushes this line
   * into the parser before the current one (having taken back its `skip-event` count), so the parser
   * goes on exactly as if nothing had been skipped.
   */
  replay: Buffer | null = null
  readonly #screen: { maxLineBytes: number }

  constructor (options: PrefilterOptions = {}) {
    this.#screen = { maxLineBytes: options.maxLineBytes ?? 1024 * 1024 }
  }

  /** Event time of the last `skip-event`. */
  get timeMs (): number | null {
    return this.classifier.timeMs
  }

  /**
   * Decides one line handed to the line parser (a line issue from the splitter is not: it never
   * reaches the parser). With `allowSkip` false every line is parsed (the state still follows it).
   * After a `parse`, hand what the parser returned for the line to `parsed`.
   */
  decide (buf: Buffer, start: number, end: number, allowSkip = true): PrefilterDecision {
    if (!this.active) return 'parse'
    switch (this.classifier.shape(buf, start, end)) {
      case 'noise':
        this.#record = true
        if (!allowSkip) {
          this.#skipBuf = null
          return 'parse'
        }
        this.#held = true
        this.#skipBuf = buf
        this.#skipStart = start
        this.#skipEnd = end
        return 'skip-event'
      case 'bare':
        this.#record = true
        this.#skipBuf = null
        return 'parse'
      case 'continuation':
        this.#record = false
        if (!allowSkip || !this.#held) return 'parse'
        if (isPlainText(buf, start, end)) return 'skip-line'
        // would it be attached (a string) or be an Unparsed record of its own?
        if (typeof screenLine(buf.subarray(start, end), this.#screen, 0) === 'string') return 'skip-line'
        return 'parse'
      default:
        this.active = false
        if (this.#held && this.#skipBuf !== null) this.replay = this.#skipBuf.subarray(this.#skipStart, this.#skipEnd)
        this.#held = false
        this.#skipBuf = null
        return 'parse'
    }
  }

  /**
   * `decide` over the lines of a read chunk (`buf[bounds[2i], bounds[2i + 1])`, as `readLineBlocks` gives
   * them) from pair index `from`, with skipping allowed, in one call for a run of skipped lines: they are
   * counted into `tally` and go no further. Returns the index of the first line `decide` said to parse
   * (its decision taken: the caller handles it as after a `parse`, `replay` included), or `bounds.length`.
   */
  skim (buf: Buffer, bounds: readonly number[], from: number, window: SkimWindow, tally: SkimTally): number {
    const n = bounds.length
    for (let i = from; i < n; i += 2) {
      const d = this.decide(buf, bounds[i] as number, bounds[i + 1] as number, true)
      if (d === 'parse') return i
      tally.lines++
      if (d === 'skip-event') {
        tally.events++
        const t = this.classifier.timeMs
        if (t !== null) {
          if (t < window.sinceMs || t > window.untilMs) tally.outsideWindow++
          else {
            if (tally.firstMs === null || t < tally.firstMs) tally.firstMs = t
            if (tally.lastMs === null || t > tally.lastMs) tally.lastMs = t
          }
        }
      }
    }
    return n
  }

  /** What the parser returned for the line `decide` said to parse: an Unparsed among it means nothing is held. */
  parsed (results: readonly ParseResult[]): void {
    for (const r of results) {
      if (r.kind === 'unparsed') {
        this.#held = false
        this.#skipBuf = null
        return
      }
    }
    if (this.#record) this.#held = true
  }
}

function isPlainText (buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (BYTE_CLASS[buf[i] as number] !== 0) return false
  return true
}
