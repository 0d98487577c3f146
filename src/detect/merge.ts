// k-way merge of per-file parse streams by event time. Each input (one file per node) is mostly time-ordered;
// a small per-input lookahead sorts out local disorder, and only `lookahead` items per input are ever buffered.
import { StormError } from '../errors.js'
import type { ParseResult } from '../types.js'

export interface MergeOptions {
  /**
   * Items read ahead per input and sorted by time before one is released (fixes local disorder within a file).
   * @default 16
   */
  lookahead: number
}

export const DEFAULT_MERGE_OPTIONS: Readonly<MergeOptions> = Object.freeze({ lookahead: 16 })

/** Event time of a result: the line's own time, else the wrapper's, else null (placed after its predecessor). */
export function timeOf (r: ParseResult): number | null {
  if (r.kind === 'unparsed') return r.source.wrapperTimeMs ?? null
  return r.timeMs ?? r.source.wrapperTimeMs ?? null
}

interface Item { r: ParseResult, t: number, n: number }

interface Lane {
  it: AsyncIterator<ParseResult>
  buf: Item[]
  done: boolean
  /** Time of the last timed item read, given to untimed ones so they keep their place. */
  lastT: number
}

/**
 * Merges `inputs` into one stream ordered by event time (ties: input order, then arrival). Items without a time
 * (unparsed lines, syslog bodies without a wrapper time) travel with the timed item before them in their input.
 */
export async function * mergeByTime (inputs: Array<AsyncIterable<ParseResult>>, options: Partial<MergeOptions> = {}): AsyncIterable<ParseResult> {
  const lookahead = options.lookahead ?? DEFAULT_MERGE_OPTIONS.lookahead
  if (!Number.isInteger(lookahead) || lookahead < 1) throw new StormError('E_CONFIG', `merge option lookahead must be an integer ≥ 1, got ${String(lookahead)}`)
  let seq = 0
  const lanes: Lane[] = inputs.map((src) => ({ it: src[Symbol.asyncIterator](), buf: [], done: false, lastT: -Infinity }))

  async function fill (lane: Lane): Promise<void> {
    while (!lane.done && lane.buf.length < lookahead) {
      const next = await lane.it.next()
      if (next.done === true) { lane.done = true; break }
      const own = timeOf(next.value)
      const t = own ?? lane.lastT
      if (own !== null) lane.lastT = Math.max(lane.lastT, own)
      const item: Item = { r: next.value, t, n: seq++ }
      // Insertion keeps the lane sorted by (t, n); an untimed item never moves before its predecessor.
      let i = lane.buf.length
      while (i > 0 && own !== null && (lane.buf[i - 1] as Item).t > t) i--
      lane.buf.splice(i, 0, item)
    }
  }

  try {
    await Promise.all(lanes.map(fill))
    for (;;) {
      let best: Lane | null = null
      let bestIdx = -1
      for (let i = 0; i < lanes.length; i++) {
        const lane = lanes[i] as Lane
        const head = lane.buf[0]
        if (head === undefined) continue
        const bh = best?.buf[0]
        if (bh === undefined || head.t < bh.t || (head.t === bh.t && i < bestIdx)) { best = lane; bestIdx = i }
      }
      if (best === null) return
      const item = best.buf.shift() as Item
      yield item.r
      await fill(best)
    }
  } finally {
    await Promise.all(lanes.filter((l) => !l.done).map(async (l) => { await l.it.return?.() }))
  }
}
