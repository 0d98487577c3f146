// `claimstorm parse [FILE…]`: every input line (any wrapper, gzip or not) → one NDJSON ParseResult on
// stdout; a summary (lines, events by kind, unparsed by code) on stderr. A file that cannot be read is
// reported and skipped (exit 3); nothing a file contains stops the run.
import type { Command } from 'commander'
import type { Writable } from 'node:stream'
import type { CommandContext } from '../cli.js'
import { EXIT_USAGE } from '../exit-status.js'
import type { ParseResult } from '../types.js'
import { createLineParser } from '../parse/line-parser.js'
import { DEFAULT_MAX_LINE_BYTES, openLineBatches, readLineBatches, type RawLine } from '../parse/read-lines.js'
import { serializeParseResult } from '../parse/serialize-event.js'
import { createStats, formatStats, isResultKind, mergeStats, RESULT_KINDS } from '../parse/stats.js'
import { isWrapperOption, WRAPPER_OPTIONS, type WrapperOption } from '../parse/unwrap.js'

interface ParseCommandOptions {
  wrapper: string
  node?: string
  maxLineBytes: string
  kinds?: string
  unparsed: boolean
}

/** Output is written in chunks of about this many characters. */
const OUT_CHUNK_CHARS = 64 * 1024
/** With no input for this long, held records are written out (`tail -f … | claimstorm parse`). */
const IDLE_FLUSH_MS = 200

/** A promise of 'idle' after `ms`, cancellable; the timer does not keep the process alive. */
function idleTimer (ms: number): { idle: Promise<'idle'>, cancel: () => void } {
  let handle: NodeJS.Timeout | undefined
  const idle = new Promise<'idle'>((resolve) => {
    handle = setTimeout(() => resolve('idle'), ms)
    handle.unref()
  })
  return { idle, cancel: () => clearTimeout(handle) }
}

/** NDJSON writer that waits for `drain` and turns a closed pipe (EPIPE) into a quiet stop. */
class NdjsonOut {
  private readonly stream: Writable
  private buf = ''
  broken = false
  private readonly onError = (err: NodeJS.ErrnoException): void => {
    this.broken = true
    this.error = err.code === 'EPIPE' ? undefined : err
  }

  error: Error | undefined

  constructor (stream: Writable) {
    this.stream = stream
    stream.on('error', this.onError)
  }

  add (line: string): void {
    this.buf += line + '\n'
  }

  get pending (): number {
    return this.buf.length
  }

  async flush (): Promise<void> {
    if (this.buf === '' || this.broken) {
      this.buf = ''
      return
    }
    const chunk = this.buf
    this.buf = ''
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('drain', done)
          this.stream.off('error', done)
          this.stream.off('close', done)
          resolve()
        }
        this.stream.on('drain', done)
        this.stream.on('error', done)
        this.stream.on('close', done)
      })
    }
  }

  close (): void {
    // the listener stays: a write still in flight can fail with EPIPE after the command returned
  }
}

export function registerParseCommand (program: Command, ctx: CommandContext): void {
  program
    .command('parse')
    .description('Parse OVS/OVN log lines (plain, CRI, Docker, syslog, journald, Fluent Bit / Vector JSON; gzip or not) into one JSON event per line (NDJSON) on stdout, with a summary on stderr.')
    .argument('[files...]', 'log files; stdin when none is given or for "-"')
    .option('--wrapper <kind>', `wrapper around each line: ${WRAPPER_OPTIONS.join('|')}`, 'auto')
    .option('--node <name>', 'node name for lines whose wrapper names none (wrapper metadata wins)')
    .option('--max-line-bytes <n>', 'longest line parsed; longer ones are reported as too-long', String(DEFAULT_MAX_LINE_BYTES))
    .option('--kinds <list>', `only output these kinds, comma-separated (${RESULT_KINDS.join(', ')})`)
    .option('--no-unparsed', 'leave unparsed lines out of the output (they are still counted)')
    .action(async (files: string[], opts: ParseCommandOptions) => {
      await runParse(files, opts, ctx)
    })
}

function usage (ctx: CommandContext, message: string): void {
  ctx.io.stderr.write(`claimstorm parse: ${message}\n`)
  ctx.code = EXIT_USAGE
}

async function runParse (files: string[], opts: ParseCommandOptions, ctx: CommandContext): Promise<void> {
  if (!isWrapperOption(opts.wrapper)) return usage(ctx, `unknown --wrapper "${opts.wrapper}" (one of ${WRAPPER_OPTIONS.join(', ')})`)
  const wrapper: WrapperOption = opts.wrapper
  const maxLineBytes = Number(opts.maxLineBytes)
  if (!/^\d+$/.test(opts.maxLineBytes) || !Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
    return usage(ctx, `--max-line-bytes must be a positive integer, got "${opts.maxLineBytes}"`)
  }
  let kinds: Set<string> | undefined
  if (opts.kinds !== undefined) {
    const list = opts.kinds.split(',').map((k) => k.trim()).filter((k) => k !== '')
    const unknown = list.filter((k) => !isResultKind(k))
    if (unknown.length > 0) return usage(ctx, `unknown kind(s) in --kinds: ${unknown.join(', ')} (known: ${RESULT_KINDS.join(', ')})`)
    kinds = new Set(list)
  }
  const keep = (r: ParseResult): boolean => (kinds === undefined || kinds.has(r.kind)) && (opts.unparsed || r.kind !== 'unparsed')

  const inputs = files.length === 0 ? ['-'] : files
  const out = new NdjsonOut(ctx.io.stdout)
  const summary = createStats()
  // RFC 3164 timestamps have no year: take it from now
  const referenceTimeMs = Date.now()
  try {
    for (const input of inputs) {
      if (out.broken) break
      const source = input === '-' ? {} : { file: input }
      const parser = createLineParser({
        wrapper,
        maxLineBytes,
        referenceTimeMs,
        source: opts.node === undefined ? source : { ...source, node: opts.node }
      })
      const emit = (results: ParseResult[]): void => {
        for (const r of results) if (keep(r)) out.add(serializeParseResult(r))
      }
      try {
        const batches: AsyncIterable<RawLine[]> = input === '-'
          ? readLineBatches(ctx.io.stdin, { maxLineBytes })
          : openLineBatches(input, { maxLineBytes })
        const it = batches[Symbol.asyncIterator]()
        for (;;) {
          const next = it.next()
          const timer = idleTimer(IDLE_FLUSH_MS)
          let r = await Promise.race([next, timer.idle]).finally(timer.cancel)
          if (r === 'idle') {
            // input paused (a live pipe): release the held record instead of waiting for the next line
            emit(parser.flush())
            await out.flush()
            r = await next
          }
          if (r.done === true) break
          for (const line of r.value) {
            emit(parser.push(line))
            if (out.pending >= OUT_CHUNK_CHARS) await out.flush()
          }
          await out.flush()
          if (out.broken) {
            await it.return?.()
            break
          }
        }
      } catch (err) {
        ctx.io.stderr.write(`claimstorm parse: ${err instanceof Error ? err.message : String(err)}\n`)
        ctx.code = EXIT_USAGE
      }
      emit(parser.flush())
      await out.flush()
      mergeStats(summary, parser.stats)
    }
  } finally {
    out.close()
  }
  if (out.broken) {
    if (out.error !== undefined) {
      ctx.io.stderr.write(`claimstorm parse: cannot write output: ${out.error.message}\n`)
      ctx.code = EXIT_USAGE
    }
    return // the reader went away (EPIPE): stop quietly
  }
  ctx.io.stderr.write(formatStats(summary))
}
