import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from './helpers/fixtures.js'
import { classifyBody, createVlogParser, eventFromEnvelope, parseVlog, vlogTimeToMs } from '../src/parse/vlog.js'
import { isStormError } from '../src/errors.js'
import type { EventKind, OvsEvent, ParseResult, Source, Unparsed, UnparsedCode } from '../src/types.js'

const GOLDEN = join(FIXTURES, 'golden')
const SOURCE: Source = { wrapper: 'bare', node: 'gw1' }

function event (r: ParseResult): OvsEvent {
  if (r.kind === 'unparsed') throw new Error(`unparsed ${r.code}: ${r.text}`)
  return r
}
function unparsed (r: ParseResult): Unparsed {
  if (r.kind !== 'unparsed') throw new Error(`parsed as ${r.kind}`)
  return r
}

t.test('golden pairs: every line gives the recorded event, with and without the fast path', (t) => {
  const kinds = new Set<string>()
  const codes = new Set<string>()
  const logs = readdirSync(GOLDEN).filter((f) => f.endsWith('.log')).sort()
  t.ok(logs.length >= 4, 'golden logs found')
  for (const f of logs) {
    const lines = readFileSync(join(GOLDEN, f), 'utf8').split('\n')
    lines.pop()
    const expected = readFileSync(join(GOLDEN, f.replace(/\.log$/, '.ndjson')), 'utf8').split('\n')
    expected.pop()
    t.equal(lines.length, expected.length, `${f}: one expected result per line`)
    lines.forEach((line, i) => {
      const want = JSON.parse(expected[i] ?? 'null') as ParseResult
      kinds.add(want.kind)
      if (want.kind === 'unparsed') codes.add(want.code)
      t.same(parseVlog(line, SOURCE), want, `${f}:${i + 1}`)
      t.same(parseVlog(line, SOURCE, { fastPath: false }), want, `${f}:${i + 1} (grammar only)`)
    })
  }
  const allKinds: EventKind[] = ['lport-claim', 'lport-chassis-change', 'lport-claim-addresses', 'lport-release',
    'lport-claim-postponed', 'lport-not-claiming', 'lport-sb-state', 'lport-ovn-installed', 'if-status-claim',
    'iface-added', 'iface-deleted', 'port-add-failed', 'ofport-alloc-failed', 'ofproto-nonexistent-port',
    'bfd-state-change', 'vlog-dropped', 'vlog']
  t.same(allKinds.filter((k) => !kinds.has(k)), [], 'golden files cover every event kind')
  const someCodes: UnparsedCode[] = ['not-vlog', 'truncated', 'bad-timestamp', 'bad-level', 'empty']
  t.same(someCodes.filter((c) => !codes.has(c)), [], 'golden files cover the envelope failures')
  t.end()
})

t.test('envelope variants', (t) => {
  const file = event(parseVlog('2024-09-05T16:38:54.711Z|19953|binding|INFO|Claiming lport p1 for this chassis.', SOURCE))
  t.match(file, { kind: 'lport-claim', time: '2024-09-05T16:38:54.711Z', timeMs: Date.parse('2024-09-05T16:38:54.711Z'), seq: 19953, module: 'binding', level: 'INFO', lport: 'p1', additional: false })
  t.notOk('thread' in file, 'no thread without parentheses')
  t.equal(file.source, SOURCE, 'source passed through')

  const console = event(parseVlog('2024-09-05T16:38:54Z|00001|binding|WARN|x', SOURCE))
  t.equal(console.timeMs, Date.parse('2024-09-05T16:38:54Z'))
  const syslog = event(parseVlog('ovs|00042|bfd(monitor82)|ERR|x', SOURCE))
  t.match(syslog, { time: null, timeMs: null, seq: 42, module: 'bfd', thread: 'monitor82', level: 'ERR', message: 'x' })
  t.equal(event(parseVlog('2024-09-05T16:38:54.711Z|1234567|dpif(ovs-vswitchd)|DBG|m', SOURCE)).seq, 1234567, 'serial wider than five digits')
  t.equal(event(parseVlog('2024-09-05T16:38:54.711Z|00001|dpif_netdev(pmd-c03/id:8)|EMER|m', SOURCE)).thread, 'pmd-c03/id:8')
  t.equal(event(parseVlog('2024-09-05T16:38:54.711Z|00001|a|INFO|x|y|z', SOURCE)).message, 'x|y|z', 'split on the first four `|` only')
  t.equal(event(parseVlog('2024-09-05T16:38:54.711Z|00001|a|INFO|', SOURCE)).message, '', 'empty message')
  t.equal(event(parseVlog('2024-09-05T16:38:54.711Z|00001|a|INFO|x\r', SOURCE)).message, 'x', 'trailing CR stripped')
  for (const level of ['EMER', 'ERR', 'WARN', 'INFO', 'DBG']) {
    t.equal(event(parseVlog(`2024-09-05T16:38:54.711Z|00001|a|${level}|x`, SOURCE)).level, level)
  }
  t.end()
})

t.test('timestamps', (t) => {
  t.equal(vlogTimeToMs('2024-02-29T23:59:59.999Z'), Date.parse('2024-02-29T23:59:59.999Z'), 'leap day')
  t.ok(Number.isNaN(vlogTimeToMs('2023-02-29T00:00:00Z')), 'no 29 February in 2023')
  t.ok(Number.isNaN(vlogTimeToMs('2024-04-31T00:00:00Z')), 'no 31 April')
  t.equal(vlogTimeToMs('2024-09-05T16:38:54.5Z'), Date.parse('2024-09-05T16:38:54.500Z'), 'one fraction digit = tenths')
  t.equal(vlogTimeToMs('2024-09-05T16:38:54.123999Z'), Date.parse('2024-09-05T16:38:54.123Z'), 'sub-millisecond digits dropped')
  t.equal(vlogTimeToMs('0050-01-01T00:00:00Z'), Date.parse('0050-01-01T00:00:00Z'), 'years below 100 are not 19xx')
  t.equal(vlogTimeToMs('2024-09-05T16:38:54'), Date.parse('2024-09-05T16:38:54Z'), '%d local time is read as UTC')
  t.equal(unparsed(parseVlog('2023-02-29T00:00:00.000Z|00001|a|INFO|x', SOURCE)).code, 'bad-timestamp')
  t.end()
})

t.test('per-line failures are data', (t) => {
  const cases: Array<[string, UnparsedCode]> = [
    ['', 'empty'],
    [' \t ', 'empty'],
    ['  Forwarding: true', 'not-vlog'],
    ['2024-09-05T16:38:54.711Z|00001|a|INFO', 'truncated'],
    ['2024-09-05T16:38:54.711Z|00001|a|Info|x', 'bad-level'],
    ['2024-19-05T16:38:54.711Z|00001|a|INFO|x', 'bad-timestamp'],
    ['2024-09-05T16:38:54.711Z|00001|a\u0000|INFO|x', 'binary'],
    ['x\uD800y', 'invalid-utf8']
  ]
  for (const [line, code] of cases) {
    for (const fastPath of [true, false]) {
      const u = unparsed(parseVlog(line, SOURCE, { fastPath }))
      t.equal(u.code, code, `${JSON.stringify(line)} fastPath=${String(fastPath)}`)
      t.equal(u.source, SOURCE)
      t.type(u.detail, 'string')
    }
  }
  const long = '2024-09-05T16:38:54.711Z|00001|a|INFO|' + 'x'.repeat(100)
  t.equal(unparsed(parseVlog(long, SOURCE, { maxLineChars: 100 })).code, 'too-long')
  t.equal(event(parseVlog(long, SOURCE, { maxLineChars: 200 })).kind, 'vlog')
  // bodies over maxBodyChars are not matched against the templates (bounded grammar work)
  const claim = '2024-09-05T16:38:54.711Z|00001|binding|INFO|p: Claiming ' + 'a '.repeat(3000)
  for (const fastPath of [true, false]) {
    t.equal(event(parseVlog(claim, SOURCE, { fastPath })).kind, 'vlog', 'over the default 4096')
    t.match(parseVlog(claim, SOURCE, { fastPath, maxBodyChars: 8000 }), { kind: 'lport-claim-addresses', addresses: { length: 3000 } })
  }
  t.end()
})

t.test('Unparsed text is cut to maxUnparsedTextBytes on a character boundary', (t) => {
  const line = 'é'.repeat(1000) // 2 bytes each
  const u = unparsed(parseVlog(line, SOURCE, { maxUnparsedTextBytes: 101 }))
  t.equal(u.bytes, 2000, 'bytes counts the whole line')
  t.equal(u.text, 'é'.repeat(50))
  t.equal(unparsed(parseVlog(line, SOURCE)).text.length, 256, 'default 512 bytes')
  const emoji = unparsed(parseVlog('😀'.repeat(10), SOURCE, { maxUnparsedTextBytes: 6 }))
  t.equal(emoji.text, '😀', 'no half surrogate pair')
  t.end()
})

t.test('huge and hostile input never throws', (t) => {
  const huge = '2024-09-05T16:38:54.711Z|00001|binding|INFO|bridge ' + 'x '.repeat(5_000_000)
  const u = unparsed(parseVlog(huge, SOURCE))
  t.equal(u.code, 'too-long')
  t.ok(Buffer.byteLength(u.text) <= 512)
  const inputs = ['\u0000\u0000', '|||||', 'ovs|||||', '\uDFFF', '2024-09-05T16:38:54.711Z|00001|binding|INFO|"', '2024-09-05T16:38:54.711Z|00001|binding|INFO|Claiming lport " for this chassis.']
  for (const v of [undefined, null, 42, Buffer.from('x')]) {
    t.match(parseVlog(v as unknown as string, SOURCE), { kind: 'unparsed', code: 'not-vlog', text: '', bytes: 0 }, `non-string ${typeof v}`)
  }
  for (const s of inputs) {
    t.doesNotThrow(() => parseVlog(s, SOURCE))
    t.doesNotThrow(() => parseVlog(s, SOURCE, { fastPath: false }))
  }
  t.end()
})

t.test('template edge cases', (t) => {
  const p = (msg: string, module = 'binding'): OvsEvent => event(parseVlog(`2024-09-05T16:38:54.711Z|00001|${module}|INFO|${msg}`, SOURCE))
  t.match(p('Claiming lport lsp.with.dots. for this chassis.'), { kind: 'lport-claim', lport: 'lsp.with.dots.' })
  t.match(p('Changing chassis for lport a from b to c.d.'), { kind: 'lport-chassis-change', to: 'c.d' }, 'final period is not part of the chassis')
  t.match(p('Changing chassis for lport a from b to c'), { kind: 'lport-chassis-change', to: 'c' })
  t.equal(p('Claiming lport a for this chassis').kind, 'vlog', 'claim without its period is not the template')
  t.equal(p('Claiming lport a for this chassis.', 'lport').kind, 'vlog', 'templates are tied to their module')
  t.match(p('Dropped 5 log messages in last 6 seconds (most recently, 7 seconds ago) due to excessive rate', 'reconnect'),
    { kind: 'vlog-dropped', module: 'reconnect', count: 5, seconds: 6, mostRecentSecondsAgo: 7 })
  t.match(p('p: Claiming '), { kind: 'lport-claim-addresses', lport: 'p', addresses: [] })
  t.match(p('p: Claiming  fa:16:3e:00:00:01  10.0.0.1 "x"'), {
    kind: 'lport-claim-addresses',
    addresses: [{ type: 'mac', value: 'fa:16:3e:00:00:01' }, { type: 'ipv4', value: '10.0.0.1' }, { type: 'other', value: '"x"' }]
  })
  t.match(p('p: Claiming 10.0.0.1/24 ::ffff:10.0.0.1 2001:db8::1/129 1.2.3.256'), {
    addresses: [{ type: 'ipv4', value: '10.0.0.1', prefix: 24 }, { type: 'ipv6', value: '::ffff:10.0.0.1' }, { type: 'other' }, { type: 'other' }]
  })
  t.match(p('Not claiming lport a, chassis b requested-chassis c pb->chassis d pb->chassis e'),
    { kind: 'lport-not-claiming', requestedChassis: 'c', pbChassis: 'd pb->chassis e' })
  t.match(p('Not claiming lport a, chassis b requested-chassis  pb->chassis '),
    { kind: 'lport-not-claiming', requestedChassis: '', pbChassis: '' }, 'empty arguments')
  t.match(p('br-int: cannot configure bfd on nonexistent port 65535', 'ofproto'), { kind: 'ofproto-nonexistent-port', ofport: 65535 })
  t.equal(p('br-int: cannot configure ECMP on nonexistent port 1', 'ofproto').kind, 'vlog', 'unknown feature')
  t.equal(p('i: BFD state change: up->sideways "A"->"B".', 'bfd').kind, 'vlog', 'unknown BFD state')
  t.match(p('i: BFD state change: up->down "A"->"B"', 'bfd'), { kind: 'bfd-state-change', wording: 'classic' }, 'classic without final period')
  t.end()
})

t.test('eventFromEnvelope classifies an RFC 5424 body', (t) => {
  const ev = eventFromEnvelope({
    time: '2024-05-14T09:12:03.118Z', timeMs: 1715677923118, seq: null, module: 'binding', level: 'INFO',
    message: 'Changing chassis for lport cr-lrp-1 from gw2 to gw1.', source: { wrapper: 'syslog-rfc5424', node: 'gw1' }
  })
  t.match(ev, { kind: 'lport-chassis-change', seq: null, lport: 'cr-lrp-1', from: 'gw2', to: 'gw1', source: { wrapper: 'syslog-rfc5424' } })
  const addr = eventFromEnvelope({
    time: null, timeMs: null, seq: null, module: 'binding', level: 'INFO', message: 'p: Claiming fa:16:3e:00:00:01', source: SOURCE
  })
  t.match(addr, { kind: 'lport-claim-addresses', lport: 'p', addresses: [{ type: 'mac', value: 'fa:16:3e:00:00:01' }] })
  t.equal(eventFromEnvelope({ time: null, timeMs: null, seq: null, module: 'not a module', level: 'INFO', message: 'Releasing lport x', source: SOURCE }).kind, 'vlog')
  const plain = eventFromEnvelope({ time: null, timeMs: null, seq: null, module: 'main', level: 'ERR', message: 'x', continuation: ['  y'], source: SOURCE })
  t.same(plain, { kind: 'vlog', time: null, timeMs: null, seq: null, module: 'main', level: 'ERR', message: 'x', continuation: ['  y'], source: SOURCE })
  t.end()
})

t.test('cached bodies are copied into fresh events', (t) => {
  const parse = createVlogParser({ cacheEntries: 4 })
  const line = '2024-09-05T16:38:54.711Z|00001|binding|INFO|p: Claiming fa:16:3e:00:00:01 10.0.0.1'
  const a = parse(line, SOURCE)
  const b = parse(line, SOURCE)
  if (a.kind !== 'lport-claim-addresses' || b.kind !== 'lport-claim-addresses') throw new Error('not parsed')
  t.not(a, b)
  t.not(a.addresses, b.addresses)
  a.addresses.push({ type: 'keyword', value: 'unknown' })
  const first = a.addresses[0]
  if (first !== undefined) first.value = 'mutated'
  t.same(parse(line, SOURCE), b, 'mutating one event does not change the next')
  // more distinct bodies than entries: still correct after evictions
  for (let i = 0; i < 20; i++) {
    t.match(parse(`2024-09-05T16:38:54.711Z|00001|binding|INFO|Claiming lport p${i % 7} for this chassis.`, SOURCE), { lport: `p${i % 7}` })
  }
  t.end()
})

t.test('options are validated once, at setup', (t) => {
  for (const bad of [{ maxUnparsedTextBytes: 0 }, { maxLineChars: 1.5 }, { cacheEntries: -1 }]) {
    let caught: unknown
    try { createVlogParser(bad) } catch (err) { caught = err }
    t.ok(isStormError(caught) && caught.code === 'E_CONFIG', `rejects ${JSON.stringify(bad)}`)
  }
  t.doesNotThrow(() => createVlogParser({ cacheEntries: 0 }))
  t.match(createVlogParser({ cacheEntries: 0 })('ovs|1|binding|INFO|Releasing lport x', SOURCE), { kind: 'lport-release', form: 'bare' })
  t.end()
})

t.test('classifyBody reports the grammar result directly', (t) => {
  t.match(classifyBody('binding', 'Releasing lport x'), { status: 'ok', body: { kind: 'lport-release', lport: 'x' } })
  t.same(classifyBody('binding', 'Releasing the kraken'), { status: 'none' })
  t.end()
})
