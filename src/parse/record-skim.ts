// Skimming Fluent Bit records before they are decoded: a record whose `log` is a noise line (a clean bare
// vlog record of a module no template and no rule reads: poll_loop, inc_proc_eng, reconnect, timeval…) parses
// to an event of kind `vlog` that every rule ignores. Its bytes say so (src/parse/prefilter.ts), so a decoder
// that offers them here spares the UTF-8 decode, the record object, the unwrap, the envelope regex and the
// event object, and hands over a SkimmedLine (the event time) instead, which the pipeline counts as that
// event. Exact, not a heuristic: a record is skimmed only where the record parser (createRecordParser, with
// the same options) would return kind `vlog` of such a module with the same time; test/record-skim.test.ts
// checks it differentially.
import { LineClassifier } from './prefilter.js'
import { DEFAULT_MAX_LINE_BYTES } from './read-lines.js'
import type { UnwrapOptions } from './unwrap.js'

/** What a skimmed record becomes: one event of kind `vlog` (a module every rule ignores) at `timeMs`. */
export class SkimmedLine {
  /** The line's own timestamp, epoch ms. */
  readonly timeMs: number
  constructor (timeMs: number) {
    this.timeMs = timeMs
  }
}

/** The hook a record decoder calls (src/adapters/forward/fast-decode.ts). */
export interface RecordSkim {
  /** The record key whose str value is offered undecoded. */
  readonly key: string
  /**
   * The record's other keys and values decoded (`values[at]`, the offered one, is not), and the offered str
   * at `bytes[start, end)`: a SkimmedLine when the record is noise, else null (decode it as usual).
   */
  take: (keys: readonly string[], values: readonly unknown[], n: number, at: number, bytes: Uint8Array, start: number, end: number) => SkimmedLine | null
}

function isObj (v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)
}

/**
 * The skim for records parsed with `options`, or null when those options do not read the message from `log`
 * the Fluent Bit way (another message key, a forced wrapper), where nothing is skimmed.
 */
export function createRecordSkim (options: UnwrapOptions = {}): RecordSkim | null {
  if ((options.wrapper !== undefined && options.wrapper !== 'auto') || (options.messageKey !== undefined && options.messageKey !== 'log')) return null
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
  const lines = new LineClassifier()
  return {
    key: 'log',
    take (keys, values, n, at, bytes, start, end) {
      // the record parser's Fluent Bit form: `log` beside a `kubernetes` map, no journald MESSAGE
      let k8s = false
      for (let i = 0; i < n; i++) {
        if (i === at) continue
        const k = keys[i]
        if (k === 'MESSAGE' || k === 'log') return null
        if (k === 'kubernetes') k8s = isObj(values[i])
      }
      if (!k8s) return null
      // as the record parser reads `log`: one trailing LF, then one CR, dropped
      let stop = end
      if (stop > start && bytes[stop - 1] === 0x0a) stop--
      if (stop > start && bytes[stop - 1] === 0x0d) stop--
      // characters are at most bytes: within the byte bound, the line is within the parser's character bound
      if (stop - start > maxLineBytes) return null
      if (lines.shape(bytes, start, stop) !== 'noise' || lines.timeMs === null) return null
      return new SkimmedLine(lines.timeMs)
    }
  }
}
