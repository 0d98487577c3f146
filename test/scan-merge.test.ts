// The scan's batched merge against src/detect/merge.ts `mergeByTime`: the same items in the same
// order, however the inputs are cut into batches, with ties, untimed items and local disorder.
import t from 'tap'
import fc from 'fast-check'
import { mergeByTime } from '../src/detect/merge.js'
import { mergeBatchesByTime } from '../src/scan/merge-batches.js'
import type { ParseResult } from '../src/types.js'

function item (lane: number, i: number, timeMs: number | null, wrapperTimeMs: number | null): ParseResult {
  if (timeMs === null && wrapperTimeMs === null && i % 2 === 0) {
    return { kind: 'unparsed', code: 'not-vlog', text: `${lane}/${i}`, bytes: 1, source: { wrapper: 'bare' } }
  }
  return {
    kind: 'vlog', time: null, timeMs, seq: i, module: 'm', level: 'INFO', message: `${lane}/${i}`,
    source: wrapperTimeMs === null ? { wrapper: 'bare' } : { wrapper: 'cri', wrapperTimeMs }
  }
}

async function * batches (items: ParseResult[], cuts: number[]): AsyncGenerator<ParseResult[]> {
  let pos = 0
  for (const c of cuts) {
    yield items.slice(pos, pos + c)
    pos += c
  }
  if (pos < items.length) yield items.slice(pos)
}

async function * one (items: ParseResult[]): AsyncGenerator<ParseResult> {
  yield * items
}

const timeArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 50 }) },
  { weight: 1, arbitrary: fc.constant(null) }
)
const laneArb = fc.tuple(
  fc.array(fc.tuple(timeArb, fc.option(fc.integer({ min: 0, max: 50 }), { freq: 4 })), { maxLength: 60 }),
  fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 10 })
)

t.test('same order as mergeByTime over random inputs and batch cuts', async (t) => {
  await fc.assert(fc.asyncProperty(fc.array(laneArb, { minLength: 0, maxLength: 6 }), fc.integer({ min: 1, max: 20 }), async (lanes, lookahead) => {
    const items = lanes.map(([ts], lane) => ts.map(([tm, wt], i) => item(lane, i, tm, wt)))
    const want: ParseResult[] = []
    for await (const r of mergeByTime(items.map((xs) => one(xs)), { lookahead })) want.push(r)
    const got: ParseResult[] = []
    await mergeBatchesByTime(items.map((xs, k) => batches(xs, lanes[k]?.[1] ?? [])), (r) => { got.push(r); return false }, { lookahead })
    if (got.length !== want.length || got.some((r, i) => r !== want[i])) {
      throw new Error(`order differs:\n${JSON.stringify(got.map((r) => r.kind === 'unparsed' ? r.text : r.message))}\n${JSON.stringify(want.map((r) => r.kind === 'unparsed' ? r.text : r.message))}`)
    }
  }), { numRuns: 500, seed: 424242 })
  t.pass('500 random merges')
})

t.test('stopping early closes the inputs', async (t) => {
  let closed = 0
  async function * endless (lane: number): AsyncGenerator<ParseResult[]> {
    try {
      for (let i = 0; ; i++) yield [item(lane, 2 * i + 1, i, null), item(lane, 2 * i + 2, i, null)]
    } finally {
      closed++
    }
  }
  const got: string[] = []
  await mergeBatchesByTime([endless(0), endless(1)], (r) => { got.push(r.kind === 'unparsed' ? r.text : r.message); return got.length === 5 })
  t.same(got, ['0/1', '0/2', '1/1', '1/2', '0/3'], 'ties go to the earlier input')
  t.equal(closed, 2)
})

t.test('a bad lookahead is a setup error', async (t) => {
  await t.rejects(mergeBatchesByTime([], () => false, { lookahead: 0 }), { code: 'E_CONFIG' })
})
