import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from './helpers/fixtures.js'
import { bsdTimeToMs, clipText, isoToMs, unwrapJoined, unwrapLine, unwrapRecord, type Unwrapped } from '../src/parse/unwrap.js'
import type { Source } from '../src/types.js'

const WRAPPERS = join(FIXTURES, 'wrappers')
interface WrappedCase { name: string; line: string; inner: string; source: Source }
const cases = readFileSync(join(WRAPPERS, 'wrapped.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as WrappedCase)
// the lab lines are from 2026-11-22; the year of an RFC 3164 timestamp comes from this
const REF = Date.UTC(2026, 10, 23)

function text (u: Unwrapped): { text: string; source: Source } {
  if (u.kind !== 'text') throw new Error(`expected text, got ${JSON.stringify(u)}`)
  return { text: u.text, source: u.source }
}

t.test('every golden wrapper form, auto-detected', async (t) => {
  t.ok(cases.length >= 15)
  for (const c of cases) {
    const u = text(unwrapLine(c.line, { referenceTimeMs: REF }))
    t.equal(u.text, c.inner, `${c.name}: inner line`)
    t.same(u.source, c.source, `${c.name}: source`)
  }
})

t.test('every golden form also when forced to its own wrapper', async (t) => {
  for (const c of cases) {
    const forced = c.source.wrapper === 'syslog-rfc3164' ? 'syslog' : c.source.wrapper
    const u = text(unwrapLine(c.line, { wrapper: forced, referenceTimeMs: REF }))
    t.equal(u.text, c.inner, c.name)
    t.equal(u.source.wrapper, c.source.wrapper, c.name)
  }
})

t.test('RFC 5424 as --syslog-target sends it becomes an envelope', async (t) => {
  const c = JSON.parse(readFileSync(join(WRAPPERS, 'rfc5424.json'), 'utf8')) as { line: string; envelope: Record<string, unknown>; source: Source }
  const u = unwrapLine(c.line)
  if (u.kind !== 'envelope') throw new Error(u.kind)
  const { source, ...env } = u.envelope
  t.same(env, c.envelope)
  t.same(source, c.source)
  t.notOk('thread' in u.envelope, 'no thread in RFC 5424')
})

t.test('RFC 5424 severity → level', async (t) => {
  const line = (pri: number): string => `<${pri}>1 2024-05-14T09:12:03.118Z gw-node-1 ovs-vswitchd 2211 bridge - \uFEFFx`
  const level = (pri: number): string => {
    const u = unwrapLine(line(pri))
    return u.kind === 'envelope' ? u.envelope.level : u.kind
  }
  t.equal(level(129), 'EMER') // LOCAL0.ALERT
  t.equal(level(131), 'ERR')
  t.equal(level(132), 'WARN')
  t.equal(level(133), 'INFO')
  t.equal(level(135), 'DBG')
  const bad = unwrapLine(line(200))
  t.equal(bad.kind === 'unparsed' && bad.unparsed.code, 'bad-wrapper')
  const badTime = unwrapLine('<133>1 2024-13-14T09:12:03.118Z gw1 ovs-vswitchd 2211 bridge - \uFEFFx')
  t.equal(badTime.kind === 'unparsed' && badTime.unparsed.code, 'bad-timestamp')
  const badSd = unwrapLine('<133>1 2024-05-14T09:12:03.118Z gw1 ovs-vswitchd 2211 bridge [unterminated x')
  t.equal(badSd.kind === 'unparsed' && badSd.unparsed.code, 'bad-wrapper')
  const sd = unwrapLine('<133>1 2024-05-14T09:12:03.118Z gw1 ovs-vswitchd - bridge [a x="]\\"y"][b] msg')
  t.equal(sd.kind === 'envelope' && sd.envelope.message, 'msg')
  t.equal(sd.kind === 'envelope' && sd.envelope.source.pid, undefined)
})

t.test('caller defaults are overridden by wrapper metadata', async (t) => {
  const fb = cases.find((c) => c.source.wrapper === 'fluent-bit')
  if (fb === undefined) throw new Error('no fluent-bit case')
  const u = text(unwrapLine(fb.line, { source: { node: 'from-path', file: '/x.log' } }))
  t.equal(u.source.node, 'gw1')
  t.equal(u.source.file, '/x.log', 'defaults the wrapper does not set stay')
  const bare = text(unwrapLine(cases[0]?.line ?? '', { source: { node: 'from-path' } }))
  t.same(bare.source, { wrapper: 'bare', node: 'from-path' })
})

t.test('forced wrapper that does not match is bad-wrapper', async (t) => {
  const line = cases[0]?.line ?? ''
  for (const w of ['cri', 'syslog', 'syslog-rfc3164', 'syslog-rfc5424', 'journald-short', 'docker', 'fluent-bit', 'json'] as const) {
    const u = unwrapLine(line, { wrapper: w })
    t.equal(u.kind === 'unparsed' && u.unparsed.code, 'bad-wrapper', w)
  }
  const u = text(unwrapLine('2024-09-05T16:38:54.711634567Z stdout F x', { wrapper: 'bare' }))
  t.equal(u.text, '2024-09-05T16:38:54.711634567Z stdout F x', 'bare never unwraps')
  const jsh = text(unwrapLine('Sep  5 16:38:54 gw1 ovs-vswitchd[1]: ovs|00001|x|INFO|y', { wrapper: 'journald-short' }))
  t.equal(jsh.source.wrapper, 'journald-short')
})

t.test('CRI partials are flagged and not unwrapped further', async (t) => {
  const p = unwrapLine('2024-09-05T16:38:54.711634567Z stdout P {"log": "half')
  if (p.kind !== 'text') throw new Error(p.kind)
  t.equal(p.partial, true)
  t.equal(p.text, '{"log": "half')
  t.equal(p.frame?.partial, true)
  const f = unwrapLine('2024-09-05T16:38:54.711634567Z stdout F ')
  if (f.kind !== 'text') throw new Error(f.kind)
  t.equal(f.text, '')
  t.equal(f.partial, false)
  t.equal(f.frame?.text, '')
  const empty = unwrapLine('2024-09-05T16:38:54.711634567Z stderr F')
  t.equal(empty.kind === 'text' && empty.text, '')
  // a joined line is unwrapped as the inside of the CRI layer
  const j = text(unwrapJoined('Sep  5 16:38:54 gw1 ovs-vswitchd[7]: ovs|00001|bfd|INFO|x', { wrapper: 'cri', stream: 'stdout' }, 'cri'))
  t.same(j.source, { wrapper: 'cri', stream: 'stdout', node: 'gw1', program: 'ovs-vswitchd', pid: 7, wrapperTime: 'Sep  5 16:38:54' })
  t.equal(j.text, 'ovs|00001|bfd|INFO|x')
})

t.test('Docker json-file entries without the final newline are partial', async (t) => {
  const u = unwrapLine(JSON.stringify({ log: 'first half', stream: 'stdout', time: '2024-09-05T16:38:54.711634567Z' }))
  t.equal(u.kind === 'text' && u.partial, true)
  const r = unwrapRecord({ log: 'no newline', stream: 'stdout', time: '2024-09-05T16:38:54.711634567Z' })
  t.equal(r.kind === 'text' && r.partial, false, 'decoded records are whole')
})

t.test('records: messageKey, nodeKey, bare strings, bytes, non-objects', async (t) => {
  const line = cases[0]?.line ?? ''
  t.same(text(unwrapRecord({ event: { original: line }, meta: { node: 'n7' } }, { messageKey: 'event.original', nodeKey: 'meta.node' })),
    { text: line, source: { wrapper: 'json', node: 'n7' } })
  t.same(text(unwrapRecord({ 'kubernetes.host': 'flat', log: line })).source.node, 'flat', 'flattened dotted key')
  t.same(text(unwrapRecord({ log: line, host: { name: 'ecs-host' } })).source.node, 'ecs-host')
  t.same(text(unwrapRecord(line)), { text: line, source: { wrapper: 'bare' } })
  t.same(text(unwrapRecord({ log: Buffer.from(line) })).text, line, 'msgpack bin')
  t.same(text(unwrapRecord({ log: line + '\r\n' })).text, line)
  t.same(text(unwrapRecord({ log: line }, { wrapper: 'cri' })).source.wrapper, 'fluent-bit', 'forced text wrapper does not apply to objects')
  for (const v of [[1, 2], 42, null, true]) {
    const u = unwrapRecord(v)
    t.equal(u.kind === 'unparsed' && u.unparsed.code, 'bad-wrapper', JSON.stringify(v))
  }
  const none = unwrapRecord({ foo: 1 })
  t.equal(none.kind === 'unparsed' && none.unparsed.code, 'no-message')
  const wrongType = unwrapRecord({ log: { nested: true } })
  t.equal(wrongType.kind === 'unparsed' && wrongType.unparsed.code, 'no-message')
  const badBytes = unwrapRecord({ MESSAGE: [0xff, 0xfe, 0x41], _HOSTNAME: 'h' })
  t.equal(badBytes.kind === 'unparsed' && badBytes.unparsed.code, 'invalid-utf8')
  t.equal(badBytes.kind === 'unparsed' && badBytes.unparsed.source.node, 'h')
  const throwing = unwrapRecord(new Proxy({}, { get () { throw new Error('boom') }, has () { throw new Error('boom') }, ownKeys () { throw new Error('boom') }, getOwnPropertyDescriptor () { throw new Error('boom') } }))
  t.equal(throwing.kind === 'unparsed' && throwing.unparsed.code, 'bad-wrapper')
})

t.test('JSON lines that are broken or not objects', async (t) => {
  const broken = unwrapLine('{"log": "2024-05-14T09:12:03.118Z|04211|bind')
  t.equal(broken.kind === 'unparsed' && broken.unparsed.code, 'bad-wrapper')
  t.match(broken.kind === 'unparsed' && broken.unparsed.detail, /invalid JSON/)
  const arr = unwrapLine('[1,2]')
  t.equal(arr.kind === 'unparsed' && arr.unparsed.code, 'bad-wrapper')
  t.equal(unwrapLine('{not json').kind, 'text', 'a brace alone is just text')
  t.equal(unwrapLine('[2024-05-14 09:12:03] started]').kind, 'text', 'a bracket line that is not JSON is just text')
})

t.test('wrapper nesting is bounded', async (t) => {
  let line = '2024-05-14T09:12:03.118Z|04211|binding|INFO|x'
  for (let i = 0; i < 10; i++) line = JSON.stringify({ log: line })
  const u = unwrapLine(line)
  if (u.kind !== 'text') throw new Error(u.kind)
  t.ok(u.text.startsWith('{'), 'stops after maxWrapperDepth layers')
  const deep = unwrapLine(line, { maxWrapperDepth: 20 })
  t.equal(deep.kind === 'text' && deep.text, '2024-05-14T09:12:03.118Z|04211|binding|INFO|x')
})

t.test('syslog header edge cases', async (t) => {
  const noPid = text(unwrapLine('May 14 09:12:03 gw-node-1 ovs-vswitchd: ovs|00213|ofproto|WARN|x'))
  t.same(noPid.source, { wrapper: 'syslog-rfc3164', node: 'gw-node-1', program: 'ovs-vswitchd', wrapperTime: 'May 14 09:12:03' })
  const colon = text(unwrapLine('2025-07-10T22:20:19Z ovn-controller[26912]: word: rest'))
  t.equal(colon.source.program, 'ovn-controller')
  t.equal(colon.source.node, undefined)
  t.equal(colon.text, 'word: rest')
  const continuation = text(unwrapLine('May 14 09:12:03 gw1 ovs-vswitchd[4182]:   Forwarding: false'))
  t.equal(continuation.text, '  Forwarding: false', 'indent of a continuation body kept')
  const badMonth = text(unwrapLine('Foo 14 09:12:03 gw1 ovs-vswitchd[4182]: ovs|00001|x|INFO|y', { referenceTimeMs: REF }))
  t.equal(badMonth.source.wrapperTimeMs, undefined, 'unknown month: no wrapper time')
  t.equal(badMonth.text, 'ovs|00001|x|INFO|y')
  const pri = unwrapLine('<999>May 14 09:12:03 gw1 ovs-vswitchd[4182]: x')
  t.equal(pri.kind === 'unparsed' && pri.unparsed.code, 'bad-wrapper')
  t.equal(text(unwrapLine('Hello world')).source.wrapper, 'bare')
  t.equal(text(unwrapLine('\uFEFF2024-05-14T09:12:03.118Z|04211|binding|INFO|x')).text, '2024-05-14T09:12:03.118Z|04211|binding|INFO|x', 'BOM dropped')
})

t.test('time helpers', async (t) => {
  t.equal(isoToMs('2024-09-05T16:38:54.711634567Z'), Date.UTC(2024, 8, 5, 16, 38, 54, 711))
  t.equal(isoToMs('2024-09-05T16:38:54+02:00'), Date.UTC(2024, 8, 5, 14, 38, 54))
  t.equal(isoToMs('2024-09-05T16:38:54-0130'), Date.UTC(2024, 8, 5, 18, 8, 54))
  t.equal(isoToMs('2024-13-05T16:38:54Z'), undefined)
  t.equal(isoToMs('2023-02-29T00:00:00Z'), undefined)
  t.equal(isoToMs('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29))
  t.equal(isoToMs('2024-04-31T00:00:00Z'), undefined)
  t.equal(isoToMs('nope'), undefined)
  t.equal(bsdTimeToMs('Sep  5 16:38:54', Date.UTC(2024, 9, 1)), Date.UTC(2024, 8, 5, 16, 38, 54))
  t.equal(bsdTimeToMs('Dec 31 23:59:59', Date.UTC(2025, 0, 1, 0, 0, 5)), Date.UTC(2024, 11, 31, 23, 59, 59), 'year rolls back')
  t.equal(bsdTimeToMs('Jan  1 00:00:01', Date.UTC(2024, 11, 31, 23, 0)), Date.UTC(2025, 0, 1, 0, 0, 1), 'up to two days ahead')
  t.equal(bsdTimeToMs('Feb 29 10:00:00', Date.UTC(2025, 5, 1)), Date.UTC(2024, 1, 29, 10), 'Feb 29 goes to a leap year')
  t.equal(bsdTimeToMs('Sep  5 16:38:54', undefined), undefined)
  t.equal(bsdTimeToMs('Xyz  5 16:38:54', REF), undefined)
})

t.test('clipText keeps whole characters within the byte limit', async (t) => {
  t.equal(clipText('abc', 10), 'abc')
  t.equal(clipText('a'.repeat(20), 10), 'a'.repeat(10))
  const s = 'é'.repeat(10) // 20 bytes
  const c = clipText(s, 7)
  t.ok(Buffer.byteLength(c) <= 7)
  t.equal(c, 'ééé')
  const emoji = clipText('😀😀😀', 5)
  t.equal(emoji, '😀')
})
