// The scan's k-way merge by event time: the same order as src/detect/merge.ts `mergeByTime` (a
// sorted lookahead window per input, ties to the earlier input, untimed items kept after their
// predecessor), but over inputs that arrive in batches and handing each item to a callback. An input
// is awaited only when its batch runs out, so there is no promise and no generator resumption per
// item (the per-event `next()` was a tenth of the scan's time).
import { StormError } from '../errors.js'
import { DEFAULT_MERGE_OPTIONS, timeOf, type MergeOptions } from '../detect/merge.js'
import type { ParseResult } from '../types.js'

interface Lane {
  it: AsyncIterator<ParseResult[]>
  /** The batch being read and the position in it. */
  src: ParseResult[]
  pos: number
  done: boolean
  /** The lookahead window, sorted by time: items and their merge times side by side. */
  items: ParseResult[]
  times: number[]
  /** Time of the last timed item read, given to untimed ones so they keep their place. */
  lastT: number
}

/** Moves items from the lane's batch into its window until it holds `lookahead`; false when the batch ran out first. */
function fillSync (lane: Lane, lookahead: number): boolean {
  const { items, times } = lane
  while (items.length < lookahead) {
    if (lane.pos >= lane.src.length) return lane.done
    const r = lane.src[lane.pos++] as ParseResult
    const own = timeOf(r)
    const t = own ?? lane.lastT
    // insertion keeps the window sorted by time, stable; an untimed item never moves before its predecessor
    let i = items.length
    if (own !== null) {
      if (own > lane.lastT) lane.lastT = own
      while (i > 0 && (times[i - 1] as number) > t) i--
    }
    if (i === items.length) {
      items.push(r)
      times.push(t)
    } else {
      items.splice(i, 0, r)
      times.splice(i, 0, t)
    }
  }
  return true
}

async function fill (lane: Lane, lookahead: number): Promise<void> {
  while (!fillSync(lane, lookahead)) {
    const next = await lane.it.next()
    if (next.done === true) lane.done = true
    else {
      lane.src = next.value
      lane.pos = 0
    }
  }
}

/**
 * Merges batched `inputs` by event time and calls `onItem` with each item in order; `onItem`
 * returning true stops the merge (the inputs are closed). Same order as `mergeByTime` over the
 * flattened inputs, however the batches are cut.
 */
export async function mergeBatchesByTime (
  inputs: Array<AsyncIterable<ParseResult[]>>,
  onItem: (r: ParseResult) => boolean | undefined,
  options: Partial<MergeOptions> = {}
): Promise<void> {
  const lookahead = options.lookahead ?? DEFAULT_MERGE_OPTIONS.lookahead
  if (!Number.isInteger(lookahead) || lookahead < 1) throw new StormError('E_CONFIG', `merge option lookahead must be an integer ≥ 1, got ${String(lookahead)}`)
  const lanes: Lane[] = inputs.map((src) => ({ it: src[Symbol.asyncIterator](), src: [], pos: 0, done: false, items: [], times: [], lastT: -Infinity }))
  try {
    await Promise.all(lanes.map(async (l) => { await fill(l, lookahead) }))
    for (;;) {
      let best: Lane | null = null
      let bestT = Infinity
      for (const lane of lanes) {
        if (lane.items.length === 0) continue
        const t = lane.times[0] as number
        // strictly earlier only: on a tie the earlier input wins
        if (best === null || t < bestT) { best = lane; bestT = t }
      }
      if (best === null) return
      const r = best.items.shift() as ParseResult
      best.times.shift()
      if (onItem(r) === true) return
      if (!fillSync(best, lookahead)) await fill(best, lookahead)
    }
  } finally {
    await Promise.all(lanes.filter((l) => !l.done).map(async (l) => { await l.it.return?.() }))
  }
}
