import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES, labLogs, readFixture } from './helpers/fixtures.js'
import { parseLine, screenLine } from '../src/parse/parse-line.js'
import { parseRecord } from '../src/parse/unwrap.js'
import type { ParseResult, Source } from '../src/types.js'

const WRAPPERS = join(FIXTURES, 'wrappers')
interface WrappedCase { name: string; line: string; inner: string; source: Source }
const cases = readFileSync(join(WRAPPERS, 'wrapped.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as WrappedCase)
const REF = Date.UTC(2026, 10, 23)
const CLAIM = cases[0]?.line ?? ''

/** Drops the fields a wrapper adds so the same vlog line can be compared across wrappers. */
function body (r: ParseResult): Record<string, unknown> {
  const { source: _s, time: _t, timeMs: _tm, ...rest } = r as ParseResult & { time?: unknown; timeMs?: unknown }
  return rest
}

t.test('every wrapper form parses to the same event as the bare line', async (t) => {
  const bare = parseLine(CLAIM)
  t.equal(bare.kind, 'lport-chassis-change')
  for (const c of cases) {
    const r = parseLine(c.line, { referenceTimeMs: REF })
    const alone = parseLine(c.inner)
    t.not(r.kind, 'unparsed', c.name)
    t.same(body(r), body(alone), `${c.name}: same event as its inner line`)
    t.same(r.source, c.source, `${c.name}: source from the wrapper`)
  }
})

t.test('RFC 5424 --syslog-target record: envelope from the header, body classified', async (t) => {
  const c = JSON.parse(readFileSync(join(WRAPPERS, 'rfc5424.json'), 'utf8')) as { line: string; envelope: Record<string, unknown>; source: Source }
  const r = parseLine(c.line)
  if (r.kind !== 'lport-chassis-change') throw new Error(r.kind)
  t.equal(r.seq, null)
  t.equal(r.level, 'INFO')
  t.equal(r.module, 'binding')
  t.equal(r.timeMs, c.envelope['timeMs'])
  t.equal(r.to, 'gw1')
  t.same(r.source, c.source)
})

t.test('stateless CRI partial: the fragment is parsed as it is', async (t) => {
  const whole = parseLine(`2026-11-22T07:44:24.849634567Z stdout P ${CLAIM}`)
  t.equal(whole.kind, 'lport-chassis-change', 'a fragment holding a whole record still parses')
  const half = parseLine(`2026-11-22T07:44:24.849634567Z stdout P ${CLAIM.slice(0, 30)}`)
  t.equal(half.kind, 'unparsed')
  t.equal(half.source.wrapper, 'cri')
})

t.test('a record holding embedded newlines carries them as continuation', async (t) => {
  const block = [
    '2026-11-22T07:45:22.324Z|00015|bfd(monitor7)|INFO|ovn-hv2-0: BFD state change: up->down "Control Detection Time Expired"->"Control Detection Time Expired".',
    '  Forwarding: true', '', '  Local Flags: none'
  ].join('\n')
  const r = parseRecord({ log: block + '\n', kubernetes: { host: 'gw1' } })
  if (r.kind !== 'bfd-state-change') throw new Error(r.kind)
  t.same(r.continuation, ['  Forwarding: true', '', '  Local Flags: none'])
  t.equal(r.source.node, 'gw1')
  const crlf = parseLine(block.replaceAll('\n', '\r\n'))
  t.same(crlf.kind !== 'unparsed' && crlf.continuation, ['  Forwarding: true', '', '  Local Flags: none'])
})

t.test('bad input is data with a precise code', async (t) => {
  const code = (line: string, opts = {}): string => {
    const r = parseLine(line, opts)
    return r.kind === 'unparsed' ? r.code : r.kind
  }
  t.equal(code(CLAIM + '\r'), 'lport-chassis-change', 'CRLF')
  t.equal(code('\u0000\u0000\u0000' + CLAIM), 'lport-chassis-change', 'leading NUL run (zeroed tail after a crash) dropped')
  t.equal(code(CLAIM.slice(0, 40) + '\u0000' + CLAIM.slice(40)), 'binary')
  t.equal(code('\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000e\u000f'), 'binary')
  t.equal(code(CLAIM.replace('2026-11-22', '2026-13-22')), 'bad-timestamp', 'wrong month')
  t.equal(code(CLAIM.replace('2026-11-22', '2026-02-30')), 'bad-timestamp')
  t.equal(code(''), 'empty')
  t.equal(code('   '), 'empty')
  t.equal(code('[1,2]'), 'bad-wrapper')
  t.equal(code('{"log": 42}'), 'no-message')
  t.equal(code('{"log": "2026-11-22T07:44:24.849Z|00291|bin'), 'bad-wrapper', 'truncated JSON')
  t.equal(code(CLAIM.slice(0, 35)), 'truncated')
  t.equal(code('hello world'), 'not-vlog')
  t.equal(code(CLAIM + 'x'.repeat(200), { maxLineBytes: 100 }), 'too-long')
  const long = parseLine('x'.repeat(5000), { maxLineBytes: 100, maxUnparsedTextBytes: 64 })
  t.equal(long.kind === 'unparsed' && long.bytes, 5000)
  t.ok(long.kind === 'unparsed' && Buffer.byteLength(long.text) <= 64)
  t.equal(code('\uD800' + CLAIM.slice(1)), 'invalid-utf8', 'lone surrogate')
  const withNode = parseLine('garbage', { source: { node: 'n1', file: '/f' } })
  t.same(withNode.source, { wrapper: 'bare', node: 'n1', file: '/f' }, 'caller source kept on Unparsed')
})

t.test('screenLine on bytes: invalid UTF-8 vs binary', async (t) => {
  const bad = Buffer.concat([Buffer.from(CLAIM.slice(0, 60)), Buffer.from([0xc3, 0x28]), Buffer.from(CLAIM.slice(60))])
  const r = screenLine(bad, {}, 512)
  t.equal(typeof r !== 'string' && r.code, 'invalid-utf8')
  const garbage = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 73 + 11) % 256))
  const g = screenLine(garbage, {}, 512)
  t.equal(typeof g !== 'string' && g.code, 'binary')
  t.equal(screenLine(Buffer.from(CLAIM + '\r'), {}, 512), CLAIM)
  t.equal(screenLine(Buffer.concat([Buffer.alloc(10), Buffer.from(CLAIM)]), {}, 512), CLAIM)
  const tooLong = screenLine(Buffer.alloc(300, 0x41), { maxLineBytes: 100 }, 512)
  t.equal(typeof tooLong !== 'string' && tooLong.code, 'too-long')
  t.equal(screenLine('ansi \u001b[31mred\u001b[0m', {}, 512), 'ansi \u001b[31mred\u001b[0m', 'ESC is not binary')
})

t.test('parseRecord on the real Fluent Bit forward records', async (t) => {
  const lines = readFixture(join(FIXTURES, 'fluent-bit-forward', 'default.records.ndjson.gz')).toString('utf8').trim().split('\n')
  t.equal(lines.length, 190)
  const nodes = new Map<string, number>()
  for (const l of lines) {
    const entry = JSON.parse(l) as { record: { log: string; kubernetes: { host: string; pod_name: string } } }
    const r = parseRecord(entry.record)
    t.equal(r.kind, parseLine(entry.record.log).kind)
    t.equal(r.source.wrapper, 'fluent-bit')
    t.equal(r.source.node, entry.record.kubernetes.host)
    t.equal(r.source.pod, entry.record.kubernetes.pod_name)
    t.equal(r.source.namespace, 'kube-system')
    nodes.set(r.source.node ?? '', (nodes.get(r.source.node ?? '') ?? 0) + 1)
  }
  t.same(Object.fromEntries(nodes), { gw1: 90, gw2: 100 })
})

t.test('parseRecord options and odd values', async (t) => {
  t.equal(parseRecord(CLAIM).kind, 'lport-chassis-change', 'a bare string record is a line')
  t.equal(parseRecord({ msg: CLAIM, meta: { node: 'x' } }, { messageKey: 'msg', nodeKey: 'meta.node' }).source.node, 'x')
  const kinds = [[1, 2], 42, null, undefined, 'x'].map((v) => {
    const r = parseRecord(v)
    return r.kind === 'unparsed' ? r.code : r.kind
  })
  t.same(kinds, ['bad-wrapper', 'bad-wrapper', 'bad-wrapper', 'bad-wrapper', 'not-vlog'])
  const withDefaults = parseRecord({ log: CLAIM }, { source: { node: 'fallback', wrapperTimeMs: 5 } })
  t.same(withDefaults.source, { wrapper: 'fluent-bit', node: 'fallback', wrapperTimeMs: 5 })
})

t.test('every line of a lab log: records parse, only continuation lines do not', async (t) => {
  const logs = labLogs('sample', '06-gateway-bfd-flap').filter((l) => l.node === 'gw1')
  let records = 0
  for (const log of logs) {
    for (const line of log.lines) {
      const r = parseLine(line)
      if (/^\d{4}-\d{2}-\d{2}T/.test(line)) {
        records++
        if (r.kind === 'unparsed') t.fail(`${log.daemon}: ${line}`)
      } else {
        t.equal(r.kind, 'unparsed', 'a continuation on its own is not an event')
      }
    }
  }
  t.ok(records > 100)
})
