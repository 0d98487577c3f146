import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES, labLogs } from './helpers/fixtures.js'
import { createLineParser, parseLines, type LineParserOptions } from '../src/parse/line-parser.js'
import { parseLine } from '../src/parse/parse-line.js'
import { StormError } from '../src/errors.js'
import type { OvsEvent, ParseResult } from '../src/types.js'

const WRAPPERS = join(FIXTURES, 'wrappers')
const CLAIM = '2026-11-22T07:44:24.849Z|00291|binding|INFO|Changing chassis for lport cr-lrp-83cee638-ce95-4eb1-b59b-1616db71fa90 from gw2 to gw1.'
const BFD = '2026-11-22T07:45:22.324Z|00015|bfd(monitor7)|INFO|ovn-hv2-0: BFD state change: up->down "Control Detection Time Expired"->"Control Detection Time Expired".'
const CRI_T = '2026-11-22T07:44:24.849634567Z'

function run (lines: Array<string | Buffer>, options: LineParserOptions = {}): { out: ParseResult[]; stats: ReturnType<typeof createLineParser>['stats'] } {
  const p = createLineParser(options)
  const out: ParseResult[] = []
  for (const l of lines) out.push(...p.push(l))
  out.push(...p.flush())
  return { out, stats: p.stats }
}

const kinds = (out: ParseResult[]): string[] => out.map((r) => (r.kind === 'unparsed' ? `unparsed:${r.code}` : r.kind))

t.test('CRI partials split inside the envelope are joined; the block attaches; other streams are apart', async (t) => {
  const lines = readFileSync(join(WRAPPERS, 'cri-partial-bfd.log'), 'utf8').split('\n').filter((l) => l !== '')
  const expected = JSON.parse(readFileSync(join(WRAPPERS, 'cri-partial-bfd.expected.json'), 'utf8')) as { record: string; continuation: string[]; next: string; otherStream: string }
  const { out, stats } = run(lines)
  t.same(kinds(out), ['unparsed:not-vlog', 'bfd-state-change', 'lport-chassis-change'])
  const other = out[0]
  t.equal(other?.kind === 'unparsed' && other.text, expected.otherStream)
  t.equal(other?.source.stream, 'stderr')
  const bfd = out[1] as OvsEvent
  t.equal(bfd.kind, 'bfd-state-change')
  t.equal(`${bfd.time ?? ''}|${String(bfd.seq).padStart(5, '0')}|bfd(${bfd.thread ?? ''})|${bfd.level}|${bfd.message}`, expected.record, 'record rebuilt from the joined fragments')
  t.same(bfd.continuation, expected.continuation)
  t.same(bfd.source, { wrapper: 'cri', stream: 'stdout', wrapperTime: CRI_T, wrapperTimeMs: Date.parse('2026-11-22T07:44:24.849Z') })
  t.equal((out[2] as OvsEvent).message, expected.next.split('|').slice(4).join('|'))
  t.equal(stats.partialLines, 2)
  t.equal(stats.lines, lines.length)
  t.equal(stats.continuationLines, expected.continuation.length)
  t.same(stats.eventsByKind, { 'bfd-state-change': 1, 'lport-chassis-change': 1 })
  t.same(stats.unparsedByCode, { 'not-vlog': 1 })
})

t.test('BFD blocks of the lab ovs-vswitchd logs attach whole to their records', async (t) => {
  for (const log of labLogs('sample', '06-gateway-bfd-flap').filter((l) => l.daemon === 'ovs-vswitchd')) {
    // expected from the raw lines: each record followed by the lines that do not start with a timestamp
    const expected: number[] = []
    for (const line of log.lines) {
      if (/^\d{4}-\d{2}-\d{2}T/.test(line)) expected.push(0)
      else expected[expected.length - 1] = (expected[expected.length - 1] ?? 0) + 1
    }
    const { out, stats } = run(log.lines, { source: { node: log.node } })
    t.equal(out.length, expected.length, `${log.node}: one result per record`)
    t.same(out.map((r) => (r.kind === 'unparsed' ? -1 : r.continuation?.length ?? 0)), expected, `${log.node}: continuation sizes`)
    t.equal(stats.unparsed, 0)
    t.equal(stats.lines, log.lines.length)
    t.ok(out.every((r) => r.source.node === log.node))
    const changes = out.filter((r): r is OvsEvent => r.kind === 'bfd-state-change')
    if (changes.length > 0) t.ok(changes.every((c) => (c.continuation?.length ?? 0) > 20), `${log.node}: state changes carry their detail block`)
  }
})

t.test('continuations: orphans, empty lines, bounds', async (t) => {
  t.same(kinds(run(['  Forwarding: true', '', CLAIM]).out), ['unparsed:orphan-continuation', 'unparsed:empty', 'lport-chassis-change'])
  const bounded = run([BFD, ...Array.from({ length: 10 }, (_, i) => `  line ${i}`)], { maxContinuationLines: 3 })
  t.same((bounded.out[0] as OvsEvent).continuation, ['  line 0', '  line 1', '  line 2'])
  t.equal(bounded.stats.continuationLinesDropped, 7)
  const byBytes = run([BFD, '  ' + 'x'.repeat(50), '  ' + 'y'.repeat(50)], { maxContinuationBytes: 60 })
  t.equal((byBytes.out[0] as OvsEvent).continuation?.length, 1)
  t.equal(byBytes.stats.continuationLinesDropped, 1)
  const afterUnparsed = run([CLAIM, 'not a vlog line', '  indented'])
  t.same(kinds(afterUnparsed.out), ['lport-chassis-change', 'unparsed:not-vlog', 'unparsed:orphan-continuation'], 'a foreign line closes the record')
})

t.test('interleaved sources keep their own continuations', async (t) => {
  const rec = (node: string, log: string): string => JSON.stringify({ log, kubernetes: { host: node, pod_name: `ovs-${node}` } })
  const lines = [
    rec('gw1', BFD), rec('gw2', CLAIM), rec('gw1', '  Forwarding: true'), rec('gw2', BFD.replace('ovn-hv2-0', 'ovn-gw1-0')),
    rec('gw1', '  Detect Multiplier: 3'), rec('gw2', '  Forwarding: false'), rec('gw1', CLAIM)
  ]
  const { out } = run(lines)
  const byNode = (node: string): Array<[string, string[] | undefined]> => out.filter((r) => r.source.node === node).map((r) => [r.kind, r.kind === 'unparsed' ? undefined : r.continuation])
  t.same(byNode('gw1'), [['bfd-state-change', ['  Forwarding: true', '  Detect Multiplier: 3']], ['lport-chassis-change', undefined]])
  t.same(byNode('gw2'), [['lport-chassis-change', undefined], ['bfd-state-change', ['  Forwarding: false']]])
})

t.test('syslog: continuation bodies are attached even when a relay dropped their indent', async (t) => {
  const h = 'Nov 22 07:45:22 gw1 ovs-vswitchd[4182]: '
  const body = BFD.split('|').slice(1).join('|')
  const { out } = run([`${h}ovs|${body}`, `${h}  Forwarding: true`, `${h}Detect Multiplier: 3`, `${h}ovs|${CLAIM.split('|').slice(1).join('|')}`])
  t.same(kinds(out), ['bfd-state-change', 'lport-chassis-change'])
  t.same((out[0] as OvsEvent).continuation, ['  Forwarding: true', 'Detect Multiplier: 3'])
  t.equal(out[0]?.source.node, 'gw1')
  t.same(kinds(run([`${h}Detect Multiplier: 3`]).out), ['unparsed:not-vlog'], 'no record before it: just not vlog')
})

t.test('RFC 5424: a record with embedded newlines gets them as continuation', async (t) => {
  const msg = 'ovn-hv2-0: BFD state change: up->down "No Diagnostic"->"Control Detection Time Expired".\n  Forwarding: false\n  Detect Multiplier: 3'
  const { out } = run([`<134>1 2026-11-22T07:45:22.324Z gw1 ovs-vswitchd 4182 bfd - \uFEFF${msg}`])
  const ev = out[0] as OvsEvent
  t.equal(ev.kind, 'bfd-state-change')
  t.same(ev.continuation, ['  Forwarding: false', '  Detect Multiplier: 3'])
})

t.test('Docker json-file: entries without the final newline are joined', async (t) => {
  const d = (log: string): string => JSON.stringify({ log, stream: 'stdout', time: CRI_T })
  const { out, stats } = run([d(CLAIM.slice(0, 50)), d(CLAIM.slice(50, 90)), d(CLAIM.slice(90) + '\n')])
  t.same(kinds(out), ['lport-chassis-change'])
  t.equal((out[0] as OvsEvent).message, CLAIM.split('|').slice(4).join('|'))
  t.equal(stats.partialLines, 2)
})

t.test('partial lines are bounded by maxLineBytes', async (t) => {
  const p = (s: string, tag = 'P'): string => `${CRI_T} stdout ${tag} ${s}`
  const { out, stats } = run([p('x'.repeat(80)), p('y'.repeat(80)), p('z'.repeat(80)), p('end', 'F'), p(CLAIM, 'F')], { maxLineBytes: 200 })
  t.same(kinds(out), ['unparsed:too-long', 'lport-chassis-change'])
  t.equal(out[0]?.kind === 'unparsed' && out[0].bytes, 243)
  t.equal(stats.partialLines, 3)
  const unfinished = run([p(CLAIM.slice(0, 60)), p(CLAIM.slice(60))])
  t.same(kinds(unfinished.out), ['lport-chassis-change'], 'a partial never completed is parsed as it stands at flush')
})

t.test('held events are released by later lines of other sources and by the source bound', async (t) => {
  const a = (log: string): string => JSON.stringify({ log, host: 'a' })
  const b = (log: string): string => JSON.stringify({ log, host: 'b' })
  const p = createLineParser({ maxHoldLines: 2 })
  t.same(p.push(a(CLAIM)), [])
  t.same(p.push(b(CLAIM)).map((r) => r.source.node), [])
  t.same(p.push(b(CLAIM)).map((r) => r.source.node), ['b'])
  let releasedAt = -1
  for (let i = 3; i <= 40 && releasedAt === -1; i++) {
    if (p.push(b(CLAIM)).some((r) => r.source.node === 'a')) releasedAt = i
  }
  t.ok(releasedAt > 2 && releasedAt <= 2 + 16, `a released after 2 lines without news (checked every 16 lines): at ${releasedAt}`)
  t.same(p.flush().map((r) => r.source.node), ['b'])
  const q = createLineParser({ maxOpenSources: 2 })
  q.push(JSON.stringify({ log: CLAIM, host: 'n1' }))
  q.push(JSON.stringify({ log: CLAIM, host: 'n2' }))
  t.same(q.push(JSON.stringify({ log: CLAIM, host: 'n3' })).map((r) => r.source.node), ['n1'], 'least recently seen released first')
  t.same(q.flush().map((r) => r.source.node), ['n2', 'n3'])
  t.same(q.flush(), [], 'flush empties')
})

t.test('Buffers, line issues and CRLF', async (t) => {
  const { out, stats } = run([
    Buffer.from(CLAIM + '\r'),
    Buffer.from([0x32, 0x30, 0xff, 0xfe, 0x7c, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50]),
    Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0x10, 0x11, 0x12, 0x13])
  ])
  t.same(kinds(out), ['lport-chassis-change', 'unparsed:invalid-utf8', 'unparsed:binary'])
  t.equal(stats.bytes, CLAIM.length + 1 + 21 + 14)
  const p = createLineParser()
  const r = p.push({ kind: 'line-issue', code: 'too-long', head: Buffer.from('2026-'), bytes: 10_000_000, detail: 'too long' })
  t.same(r.map((x) => x.kind === 'unparsed' && [x.code, x.bytes, x.text]), [['too-long', 10_000_000, '2026-']])
  t.equal(p.stats.bytes, 10_000_000)
})

t.test('parseLines over an async iterable', async (t) => {
  async function * lines (): AsyncGenerator<string> {
    yield BFD
    yield '  Forwarding: true'
    yield CLAIM
  }
  const parsed = parseLines(lines(), { source: { node: 'gw9' } })
  const out: ParseResult[] = []
  for await (const r of parsed) out.push(r)
  t.same(kinds(out), ['bfd-state-change', 'lport-chassis-change'])
  t.equal(parsed.stats.lines, 3)
  t.equal(parsed.stats.events, 2)
  t.ok(out.every((r) => r.source.node === 'gw9'))
  const sync = parseLines([CLAIM, CLAIM])
  let n = 0
  for await (const r of sync) n += r.kind === 'lport-chassis-change' ? 1 : 0
  t.equal(n, 2)
})

t.test('bad options are setup errors', async (t) => {
  t.throws(() => createLineParser({ maxContinuationLines: -1 }), StormError)
  t.throws(() => createLineParser({ maxHoldLines: 1.5 }), { code: 'E_CONFIG' })
  t.throws(() => createLineParser({ maxLineBytes: Number.NaN }), { code: 'E_CONFIG' })
})

t.test('pushRecord: one Forward record per physical line still gets whole BFD blocks', async (t) => {
  const log = labLogs('sample', '06-gateway-bfd-flap').find((l) => l.node === 'gw1' && l.daemon === 'ovs-vswitchd')
  if (log === undefined) throw new Error('no lab log')
  const p = createLineParser()
  const out: ParseResult[] = []
  for (const line of log.lines) out.push(...p.pushRecord({ log: line, stream: 'stdout', kubernetes: { host: 'gw1', pod_name: 'ovs-x' } }))
  out.push(...p.flush())
  const records = log.lines.filter((l) => /^\d{4}-/.test(l)).length
  t.equal(out.length, records)
  t.equal(p.stats.unparsed, 0)
  t.equal(p.stats.continuationLines, log.lines.length - records)
  t.ok(out.every((r) => r.source.node === 'gw1' && r.source.wrapper === 'fluent-bit'))
  t.same(kinds(p.pushRecord([1, 2])), ['unparsed:bad-wrapper'])
  t.same(kinds(p.pushRecord(CLAIM)), [])
  t.same(kinds(p.flush()), ['lport-chassis-change'])
})

t.test('the plain-line shortcut gives what unwrapping gives', async (t) => {
  const lines = ['\uFEFF' + CLAIM, CLAIM, 'ovs|00001|bfd|INFO|x', '12 not | vlog', '1|2', '2024-05-14T09:12:03Z gw1 prog[1]: ovs|00001|x|INFO|y', 'x']
  for (const wrapper of ['auto', 'bare'] as const) {
    for (const line of lines) {
      const opts = { wrapper, source: { node: 'n' } }
      t.same(run([line], opts).out, [parseLine(line, opts)], `${wrapper}: ${line}`)
    }
  }
})
