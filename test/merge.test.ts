// mergeByTime: k-way merge of per-file parse streams by event time, bounded lookahead.
import t from 'tap'
import { mergeByTime, timeOf } from '../src/detect/merge.js'
import { isStormError } from '../src/errors.js'
import type { ParseResult } from '../src/types.js'

function ev (node: string, t: number | null, n: number, wrapperTimeMs?: number): ParseResult {
  const source = wrapperTimeMs === undefined ? { wrapper: 'bare' as const, node } : { wrapper: 'syslog-rfc3164' as const, node, wrapperTimeMs }
  return { kind: 'vlog', time: null, timeMs: t, seq: n, module: 'm', level: 'INFO', message: `${node}-${n}`, source }
}
function bad (node: string, n: number): ParseResult {
  return { kind: 'unparsed', code: 'not-vlog', text: `${node}-${n}`, bytes: 1, source: { wrapper: 'bare', node } }
}
async function * from (xs: ParseResult[], log?: string[]): AsyncIterable<ParseResult> {
  for (const x of xs) { log?.push(x.kind === 'unparsed' ? x.text : x.message); yield x }
}
async function collect (it: AsyncIterable<ParseResult>): Promise<string[]> {
  const out: string[] = []
  for await (const r of it) out.push(r.kind === 'unparsed' ? r.text : r.message)
  return out
}

t.test('merges by event time across inputs, ties in input order', async (t) => {
  const a = [ev('a', 1, 1), ev('a', 5, 2), ev('a', 9, 3)]
  const b = [ev('b', 2, 1), ev('b', 5, 2), ev('b', 6, 3)]
  t.same(await collect(mergeByTime([from(a), from(b)])), ['a-1', 'b-1', 'a-2', 'b-2', 'b-3', 'a-3'])
  t.same(await collect(mergeByTime([])), [])
})

t.test('local disorder within a file is sorted within the lookahead', async (t) => {
  const a = [ev('a', 10, 1), ev('a', 30, 2), ev('a', 20, 3), ev('a', 40, 4)]
  t.same(await collect(mergeByTime([from(a)])), ['a-1', 'a-3', 'a-2', 'a-4'])
  t.same(await collect(mergeByTime([from(a)], { lookahead: 1 })), ['a-1', 'a-2', 'a-3', 'a-4'], 'lookahead 1 keeps file order')
})

t.test('untimed results travel with their predecessor; wrapper time counts', async (t) => {
  const a = [ev('a', 10, 1), bad('a', 2), ev('a', null, 3), ev('a', 30, 4)]
  const b = [ev('b', null, 1, 20), ev('b', 25, 2)]
  t.same(await collect(mergeByTime([from(a), from(b)])), ['a-1', 'a-2', 'a-3', 'b-1', 'b-2', 'a-4'])
  t.equal(timeOf(ev('b', null, 1, 20)), 20)
  t.equal(timeOf(bad('x', 1)), null)
})

t.test('bounded buffering: never reads more than lookahead ahead per input', async (t) => {
  const read: string[] = []
  const a = Array.from({ length: 100 }, (_, i) => ev('a', i, i))
  const it = mergeByTime([from(a, read)], { lookahead: 4 })[Symbol.asyncIterator]()
  await it.next()
  t.ok(read.length <= 5, `read ${read.length} after one result`)
  await it.return?.()
})

t.test('bad lookahead is a config error', async (t) => {
  let code: string | undefined
  try { await collect(mergeByTime([], { lookahead: 0 })) } catch (e) { code = isStormError(e) ? e.code : 'other' }
  t.equal(code, 'E_CONFIG')
})
