// Nothing a log file (or a shipper's record) can contain may throw or produce a malformed result.
import t from 'tap'
import fc from 'fast-check'
import { isDeepStrictEqual } from 'node:util'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { FIXTURES, labLogs } from './helpers/fixtures.js'
import { parseLine } from '../src/parse/parse-line.js'
import { parseRecord } from '../src/parse/unwrap.js'
import { createLineParser } from '../src/parse/line-parser.js'
import { readLines } from '../src/parse/read-lines.js'
import { serializeParseResult } from '../src/parse/serialize-event.js'
import { RESULT_KINDS } from '../src/parse/stats.js'
import type { ParseResult, UnparsedCode, WrapperKind } from '../src/types.js'

const CODES: readonly UnparsedCode[] = ['not-vlog', 'truncated', 'too-long', 'bad-timestamp', 'bad-level', 'invalid-utf8', 'binary', 'empty', 'bad-wrapper', 'no-message', 'orphan-continuation']
const WRAPPER_KINDS: readonly WrapperKind[] = ['bare', 'cri', 'docker', 'syslog-rfc3164', 'syslog-rfc5424', 'journald-short', 'journald-json', 'fluent-bit', 'vector', 'json']
const LEVELS = ['EMER', 'ERR', 'WARN', 'INFO', 'DBG']
const MAX_TEXT = 256

/** Throws with a description when `r` is not a well-formed ParseResult. */
function check (r: ParseResult, maxText = MAX_TEXT): void {
  const fail = (why: string): never => { throw new Error(`${why}: ${JSON.stringify(r).slice(0, 400)}`) }
  if (!(RESULT_KINDS as readonly string[]).includes(r.kind)) fail('unknown kind')
  const s = r.source as unknown as Record<string, unknown>
  if (typeof s !== 'object' || s === null) fail('no source')
  if (!WRAPPER_KINDS.includes(s['wrapper'] as WrapperKind)) fail('bad wrapper')
  for (const k of ['node', 'pod', 'namespace', 'container', 'file', 'stream', 'program', 'wrapperTime']) {
    if (s[k] !== undefined && typeof s[k] !== 'string') fail(`source.${k}`)
  }
  for (const k of ['pid', 'wrapperTimeMs']) {
    if (s[k] !== undefined && !Number.isFinite(s[k])) fail(`source.${k}`)
  }
  if (r.kind === 'unparsed') {
    if (!CODES.includes(r.code)) fail('unknown code')
    if (typeof r.text !== 'string' || Buffer.byteLength(r.text) > maxText) fail('text not bounded')
    if (!Number.isInteger(r.bytes) || r.bytes < 0) fail('bytes')
    if (r.detail !== undefined && typeof r.detail !== 'string') fail('detail')
    if (r.detail?.startsWith('internal error') === true) fail('internal error')
  } else {
    if (r.time !== null && typeof r.time !== 'string') fail('time')
    if (r.timeMs !== null && !Number.isFinite(r.timeMs)) fail('timeMs')
    if ((r.time === null) !== (r.timeMs === null)) fail('time/timeMs disagree')
    if (r.seq !== null && (!Number.isInteger(r.seq) || r.seq < 0)) fail('seq')
    if (typeof r.module !== 'string' || r.module === '') fail('module')
    if (!LEVELS.includes(r.level)) fail('level')
    if (typeof r.message !== 'string') fail('message')
    if (r.thread !== undefined && typeof r.thread !== 'string') fail('thread')
    if (r.continuation !== undefined && !(Array.isArray(r.continuation) && r.continuation.every((c) => typeof c === 'string'))) fail('continuation')
  }
  if (!isDeepStrictEqual(JSON.parse(serializeParseResult(r)), JSON.parse(JSON.stringify(r)))) fail('serializer round trip')
}

// real lines: records of both daemons, continuation lines, and every golden wrapper form
const lab = [
  ...labLogs('sample', '04-crlrp-split-brain-storm').filter((l) => l.node === 'gw1'),
  ...labLogs('sample', '06-gateway-bfd-flap').filter((l) => l.node === 'gw1' && l.daemon === 'ovs-vswitchd')
].flatMap((l) => l.lines.slice(0, 120))
const wrapped = readFileSync(join(FIXTURES, 'wrappers', 'wrapped.ndjson'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { line: string }).line)
const REAL = [...lab, ...wrapped]

type Op = (s: string) => string
const at = (s: string, f: number): number => Math.floor(f * (s.length + 1))
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }).map((f): Op => (s) => s.slice(0, at(s, f))),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(20)).map(([f, n]): Op => (s) => s.slice(0, at(s, f)) + s.slice(at(s, f) + n)),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('|', '\u0000', '\r', '\n', '\uFFFD', '\uD800', ' ', '"', '{', '}', '[', ']', '\\', '1', 'Z', '13', '\t', ':', '<', '>', '\uFEFF'))
    .map(([f, c]): Op => (s) => s.slice(0, at(s, f)) + c + s.slice(at(s, f))),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.string({ maxLength: 8 })).map(([f, c]): Op => (s) => s.slice(0, at(s, f)) + c + s.slice(at(s, f))),
  fc.constantFrom<Op>(
    (s) => s.replace(/-\d\d-/, '-13-'), // wrong month
    (s) => s.replace('INFO', 'INF0'),
    (s) => s.replaceAll('|', ' '),
    (s) => `2024-09-05T16:38:54.711634567Z stdout F ${s}`,
    (s) => `2024-09-05T16:38:54.711634567Z stderr P ${s}`,
    (s) => JSON.stringify({ log: s + '\n', stream: 'stdout', time: '2024-09-05T16:38:54.711634567Z' }),
    (s) => JSON.stringify({ log: s, kubernetes: { host: 'gw1', pod_name: 'p' } }),
    (s) => JSON.stringify({ message: s, kubernetes: { pod_node_name: 'gw1' }, source_type: 'kubernetes_logs' }),
    (s) => JSON.stringify({ MESSAGE: [...Buffer.from(s)], _HOSTNAME: 'h', __REALTIME_TIMESTAMP: '1725554334711634' }),
    (s) => `Sep  5 16:38:54 gw1 ovs-vswitchd[12]: ${s.replace(/^[^|]*\|/, 'ovs|')}`,
    (s) => `<133>1 2024-05-14T09:12:03.118Z gw1 ovn-controller 2211 binding - \uFEFF${s}`,
    (s) => `<13>1 - - - - - [x y="${s}"] ${s}`,
    (s) => s.repeat(40)
  )
)
const mutated = fc.tuple(fc.constantFrom(...REAL), fc.array(op, { maxLength: 4 })).map(([line, ops]) => ops.reduce((s, f) => f(s), line))

/** Bytes that are not UTF-8 spliced into a line. */
const withBadBytes = fc.tuple(mutated, fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom([0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf0, 0x28, 0x8c], [0x00], [0x80, 0x80]))
  .map(([s, f, bad]) => {
    const b = Buffer.from(s)
    const i = Math.floor(f * b.length)
    return Buffer.concat([b.subarray(0, i), Buffer.from(bad), b.subarray(i)])
  })

const opts = fc.record({
  maxLineBytes: fc.constantFrom(64, 512, 1024 * 1024),
  wrapper: fc.constantFrom('auto', 'auto', 'auto', 'bare', 'cri', 'syslog', 'json', 'docker') as fc.Arbitrary<'auto'>
})

t.test('parseLine: random strings', async () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => check(parseLine(s, { maxUnparsedTextBytes: MAX_TEXT }))), { numRuns: 400 })
  fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => check(parseLine(s, { maxUnparsedTextBytes: MAX_TEXT }))), { numRuns: 200 })
})

t.test('parseLine: mutated real lines, in random wrappers, with random options', async () => {
  fc.assert(fc.property(mutated, opts, (s, o) => check(parseLine(s, { ...o, maxUnparsedTextBytes: MAX_TEXT }))), { numRuns: 1500 })
})

t.test('parseRecord: any JSON value or JS value', async () => {
  fc.assert(fc.property(fc.jsonValue(), (v) => check(parseRecord(v, { maxUnparsedTextBytes: MAX_TEXT }))), { numRuns: 300 })
  fc.assert(fc.property(fc.anything({ withTypedArray: true, withMap: true, withNullPrototype: true }), (v) => check(parseRecord(v, { maxUnparsedTextBytes: MAX_TEXT }))), { numRuns: 300 })
  fc.assert(fc.property(mutated, fc.constantFrom('log', 'message', 'MESSAGE'), (s, key) => check(parseRecord({ [key]: s, kubernetes: { host: 'gw1' } }, { maxUnparsedTextBytes: MAX_TEXT }))), { numRuns: 300 })
})

t.test('line parser: sequences of random bytes and mutated lines, stats add up', async () => {
  const item = fc.oneof(mutated, withBadBytes, fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)))
  fc.assert(fc.property(fc.array(item, { maxLength: 40 }), opts, (lines, o) => {
    const p = createLineParser({ ...o, maxUnparsedTextBytes: MAX_TEXT, maxContinuationLines: 8 })
    const out: ParseResult[] = []
    for (const l of lines) out.push(...p.push(typeof l === 'string' ? l : Buffer.from(l)))
    out.push(...p.flush())
    for (const r of out) check(r)
    if (p.stats.lines !== lines.length) throw new Error('lines miscounted')
    if (p.stats.events + p.stats.unparsed !== out.length) throw new Error('results miscounted')
    // every line is accounted for: a result, a joined partial, or a continuation (attached or dropped)
    if (out.length + p.stats.partialLines + p.stats.continuationLines + p.stats.continuationLinesDropped < lines.length) throw new Error('a line vanished')
  }), { numRuns: 300 })
})

t.test('readLines → line parser on random byte streams', async () => {
  await fc.assert(fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), async (chunks) => {
    const p = createLineParser({ maxLineBytes: 128, maxUnparsedTextBytes: MAX_TEXT })
    for await (const line of readLines(Readable.from(chunks.map((c) => Buffer.from(c))), { maxLineBytes: 128 })) {
      for (const r of p.push(line)) check(r)
    }
    for (const r of p.flush()) check(r)
  }), { numRuns: 150 })
})
