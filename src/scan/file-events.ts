// One file → batches of the events the scan keeps, with the file's counters and issues kept up to
// date as it goes: the part of a scan that runs per file (in the main thread, or in a parse worker,
// src/scan/parse-worker.ts). Lines are prefiltered from their bytes (src/parse/prefilter.ts), the rest
// parsed, and envelope-only noise no rule reads is dropped before it reaches the merge.
import { open } from 'node:fs/promises'
import type { ParseResult } from '../types.js'
import { StormError } from '../errors.js'
import { isLineIssue, readLineBlocks, type RawLine } from '../parse/read-lines.js'
import { createLineParser } from '../parse/line-parser.js'
import { Prefilter, type SkimTally, type SkimWindow } from '../parse/prefilter.js'
import { timeOf } from '../detect/merge.js'
import type { InputIssue } from './walk.js'
import type { ScannedFile } from './model.js'

/** How files are read and what is kept of them (the per-file part of `ScanOptions`). */
export interface FileScanOptions {
  /**
   * Events before this event time (epoch ms) are left out.
   * @default no lower bound
   */
  sinceMs?: number
  /**
   * Events after this event time (epoch ms) are left out.
   * @default no upper bound
   */
  untilMs?: number
  /**
   * Lines read from the head of a file before deciding it is not an OVS/OVN log (no vlog line among them).
   * @default 1000
   */
  sniffLines?: number
  /**
   * Longest line read, in bytes.
   * @default 1048576
   */
  maxLineBytes?: number
  /** Called every few thousand lines with bytes read so far (for the progress line). */
  onProgress?: (bytesRead: number, lines: number) => void
  /**
   * Hand every event to the merge, including envelope-only lines (`vlog`) of modules no rule reads.
   * Only for tests that prove dropping them changes nothing.
   * @default false
   */
  forwardAll?: boolean
  /**
   * Skip noise lines of plain vlog files from their bytes, before decoding them (src/parse/prefilter.ts).
   * `false` parses every line; only for tests that prove the prefilter changes nothing.
   * @default true (off under `forwardAll`)
   */
  prefilter?: boolean
  /** Stops reading (e.g. stdout closed under `--json | head`); the report covers what was read. */
  signal?: AbortSignal
  /**
   * Yield a batch for every read chunk, even an empty one (a parse worker reports progress with them).
   * @default false
   */
  yieldEmpty?: boolean
}

/** Counters shared by the files of one scan (or of one worker). */
export interface Shared {
  bytesRead: number
  lines: number
  outsideWindow: number
}


/**
 * One file's events, in file order. Never throws: an unreadable file, corrupt gzip or a file that
 * is not a log ends the stream early and becomes an issue.
 */
export async function * fileEvents (file: ScannedFile & { explicit: boolean }, options: FileScanOptions, shared: Shared, issues: InputIssue[]): AsyncGenerator<ParseResult[]> {
  const sniff = options.sniffLines ?? 1000
  const recordNodes = new Set<string>()
  let handle
  try {
    handle = await open(file.path, 'r')
  } catch (err) {
    file.status = 'read-error'
    issues.push({ code: 'unreadable', path: file.path, explicit: file.explicit, message: `cannot read ${file.path}: ${describeError(err)}; skipped` })
    return
  }
  const stream = handle.createReadStream({ highWaterMark: 256 * 1024 })
  // Whether the file starts with gzip's magic bytes: a `.gz` without them is a broken archive, not a log.
  let gzipMagic: boolean | null = null
  async function * counted (): AsyncGenerator<Buffer> {
    for await (const chunk of stream) {
      const b = chunk as Buffer
      if (gzipMagic === null && b.length >= 2) gzipMagic = b[0] === 0x1f && b[1] === 0x8b
      file.bytes += b.length
      shared.bytesRead += b.length
      yield b
    }
  }
  const parser = createLineParser({ source: { node: file.node, file: file.path }, maxLineBytes: options.maxLineBytes ?? 1024 * 1024 })
  const since = options.sinceMs ?? -Infinity
  const until = options.untilMs ?? Infinity
  let notLog = false
  const prefilter = options.prefilter === false || options.forwardAll === true
    ? null
    : new Prefilter(options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes })
  const take = (r: ParseResult, out: ParseResult[]): void => {
    if (r.kind === 'unparsed') {
      file.unparsed++
      return
    }
    file.events++
    const node = r.source.node
    if (node !== undefined && node !== file.node && recordNodes.size < 32) recordNodes.add(node)
    const t = timeOf(r)
    if (t !== null) {
      if (t < since || t > until) { shared.outsideWindow++; return }
      if (file.firstMs === null || t < file.firstMs) file.firstMs = t
      if (file.lastMs === null || t > file.lastMs) file.lastMs = t
    }
    // Most lines of a night are envelope-only noise (poll_loop, inc_proc_eng, reconnect…) that no rule
    // reads: the detector looks at `vlog` lines of module bfd only, the baseline rule at binding lines.
    // Dropping the rest here spares the merge and the detector most of the stream.
    if (r.kind === 'vlog' && options.forwardAll !== true && r.module !== 'bfd' && r.module !== 'binding') return
    out.push(r)
  }
  try {
    /** One line for the parser (or a line issue); true when the sniff gave up on the file. */
    const parse = (raw: RawLine, out: ParseResult[]): boolean => {
      if (isLineIssue(raw)) {
        file.unparsed++
        if (raw.code === 'truncated') {
          file.status = 'corrupt-gzip'
          issues.push({ code: 'corrupt-gzip', path: file.path, explicit: file.explicit, message: `${file.path}: corrupt gzip (${raw.detail.replace(/^gzip: /, '')}) after ${file.lines - 1} lines; the lines before it were scanned` })
        }
        return false
      }
      // a line completed across reads is judged like any other
      if (prefilter !== null && skipped(raw, 0, raw.length, out)) return false
      const res = parser.push(raw)
      prefilter?.parsed(res)
      for (const r of res) take(r, out)
      return file.events === 0 && file.lines >= sniff
    }
    /** After a `parse` decision: a record the prefilter skipped and then found it must not have goes to the parser. */
    const replayed = (out: ParseResult[]): void => {
      const pf = prefilter as Prefilter
      if (pf.replay === null) return
      // switched off right after a skipped record: the parser gets it after all, counted when it comes out
      const line = pf.replay
      pf.replay = null
      file.events--
      const t = pf.timeMs
      if (t !== null && (t < since || t > until)) shared.outsideWindow--
      for (const r of parser.push(line)) take(r, out)
    }
    const window: SkimWindow = { sinceMs: since, untilMs: until }
    const tally: SkimTally = { lines: 0, events: 0, outsideWindow: 0, firstMs: null, lastMs: null }
    const foldTally = (): void => {
      file.lines += tally.lines
      shared.lines += tally.lines
      file.events += tally.events
      shared.outsideWindow += tally.outsideWindow
      if (tally.firstMs !== null && (file.firstMs === null || tally.firstMs < file.firstMs)) file.firstMs = tally.firstMs
      if (tally.lastMs !== null && (file.lastMs === null || tally.lastMs > file.lastMs)) file.lastMs = tally.lastMs
      tally.lines = 0
      tally.events = 0
      tally.outsideWindow = 0
      tally.firstMs = null
      tally.lastMs = null
    }
    /** Lines the prefilter vouches for are counted from their bytes and go no further. */
    const skipped = (buf: Buffer, start: number, end: number, out: ParseResult[]): boolean => {
      const pf = prefilter as Prefilter
      // only once an event came out: until then the sniff decides whether this is a log at all
      const d = pf.decide(buf, start, end, file.events > 0)
      if (d === 'parse') {
        replayed(out)
        return false
      }
      if (d === 'skip-event') {
        file.events++
        const t = (prefilter as Prefilter).timeMs
        if (t !== null) {
          if (t < since || t > until) shared.outsideWindow++
          else {
            if (file.firstMs === null || t < file.firstMs) file.firstMs = t
            if (file.lastMs === null || t > file.lastMs) file.lastMs = t
          }
        }
      }
      return true
    }
    outer:
    for await (const block of readLineBlocks(counted(), options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes })) {
      const out: ParseResult[] = []
      for (const raw of block.pre) {
        file.lines++
        shared.lines++
        if (parse(raw, out)) { notLog = true; break }
      }
      // lines inside the read chunk: a Buffer is made only for those the parser gets
      const { buf, bounds } = block
      for (let i = 0; i < bounds.length && !notLog; i += 2) {
        if (prefilter !== null && prefilter.active && file.events > 0) {
          // runs of noise in one call; the line it stops at is one to parse
          const stop = prefilter.skim(buf, bounds, i, window, tally)
          foldTally()
          if (stop === bounds.length) break
          i = stop
          replayed(out)
        } else if (prefilter !== null && skipped(buf, bounds[i] as number, bounds[i + 1] as number, out)) {
          file.lines++
          shared.lines++
          continue
        }
        file.lines++
        shared.lines++
        const res = parser.push(buf.subarray(bounds[i] as number, bounds[i + 1] as number))
        prefilter?.parsed(res)
        for (const r of res) take(r, out)
        if (file.events === 0 && file.lines >= sniff) { notLog = true; break }
      }
      // progress per read chunk, so a night of pure noise (nothing reaches the merge) still shows it
      options.onProgress?.(shared.bytesRead, shared.lines)
      if (out.length > 0 || options.yieldEmpty === true) yield out
      if (notLog || options.signal?.aborted === true) break outer
    }
    if (!notLog) {
      const out: ParseResult[] = []
      for (const r of parser.flush()) take(r, out)
      if (out.length > 0) yield out
      if (file.events === 0 && file.lines > 0 && file.status === 'ok') notLog = true
    }
  } catch (err) {
    file.status = 'read-error'
    issues.push({ code: 'read-error', path: file.path, explicit: file.explicit, message: `cannot read ${file.path}: ${describeError(err)}; scanned what came before` })
  } finally {
    stream.destroy()
    await handle.close().catch(() => undefined)
  }
  if (notLog && gzipMagic !== true && /\.gz$/i.test(file.path)) {
    // Named as an archive but no gzip stream in it (cut at the first bytes, or never compressed): a corrupt .gz.
    file.status = 'corrupt-gzip'
    issues.push({
      code: 'corrupt-gzip',
      path: file.path,
      explicit: file.explicit,
      message: `${file.path}: corrupt gzip (no gzip header, and not an OVS/OVN log as plain text either); skipped`
    })
  } else if (notLog) {
    file.status = 'not-a-log'
    issues.push({
      code: 'not-a-log',
      path: file.path,
      explicit: file.explicit,
      message: `${file.path} is not an OVS/OVN log (no vlog line in its first ${Math.min(file.lines, sniff)} lines); skipped`
    })
  }
  file.recordNodes = [...recordNodes].sort()
}

/** The files of one rotation chain, oldest first, as one stream of batches. */
export async function * chainEvents (chain: Array<ScannedFile & { explicit: boolean }>, options: FileScanOptions, shared: Shared, issues: InputIssue[]): AsyncGenerator<ParseResult[]> {
  for (const f of chain) yield * fileEvents(f, options, shared, issues)
}

function describeError (err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : ''
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EISDIR') return 'is a directory'
  if (err instanceof StormError && err.cause instanceof Error) return err.cause.message
  return err instanceof Error ? err.message : String(err)
}
