// The fast path (envelope regex, prefilter, body cache) must give exactly what the grammar alone
// gives, on every fixture line and on random / mutated lines; and no input may throw or give a
// malformed result.
import t from 'tap'
import fc from 'fast-check'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES, labLogs, labRuns, labScenarios, readFixture } from './helpers/fixtures.js'
import { classifyBody, classifyFixedShape, createVlogParser, eventFromEnvelope, parseVlog } from '../src/parse/vlog.js'
import type { ParseResult, Source } from '../src/types.js'

const SOURCE: Source = { wrapper: 'bare', node: 'hv1' }

function fixtureLines (): string[] {
  const lines = new Set<string>()
  const run = labRuns()[0]
  if (run !== undefined) {
    for (const scenario of labScenarios(run)) for (const log of labLogs(run, scenario)) for (const l of log.lines) lines.add(l)
  }
  for (const dir of ['golden', 'seed-excerpts']) {
    for (const f of readdirSync(join(FIXTURES, dir)).filter((f) => f.endsWith('.log'))) {
      for (const l of readFixture(join(FIXTURES, dir, f)).toString('utf8').split('\n')) lines.add(l)
    }
  }
  return [...lines]
}

const FIXTURE_LINES = fixtureLines()
// Records only, for mutation: they reach deepest into the grammar.
const RECORDS = FIXTURE_LINES.filter((l) => /^(\d{4}-|ovs\|)/.test(l))

const KINDS = new Set(['lport-claim', 'lport-chassis-change', 'lport-claim-addresses', 'lport-release', 'lport-claim-postponed',
  'lport-not-claiming', 'lport-sb-state', 'lport-ovn-installed', 'if-status-claim', 'iface-added', 'iface-deleted',
  'port-add-failed', 'ofport-alloc-failed', 'ofproto-nonexistent-port', 'bfd-state-change', 'vlog-dropped', 'vlog'])
const CODES = new Set(['not-vlog', 'truncated', 'too-long', 'bad-timestamp', 'bad-level', 'invalid-utf8', 'binary', 'empty'])
const LEVELS = new Set(['EMER', 'ERR', 'WARN', 'INFO', 'DBG'])

/** Why `r` is not a well-formed result for `line`, or null. */
function malformed (line: string, r: ParseResult): string | null {
  if (r.source !== SOURCE) return 'source not passed through'
  if (r.kind === 'unparsed') {
    if (!CODES.has(r.code)) return `unknown code ${r.code}`
    if (Buffer.byteLength(r.text) > 512) return 'text over 512 bytes'
    if (r.bytes !== Buffer.byteLength(line)) return 'bytes is not the line length'
    if (typeof r.detail !== 'string') return 'no detail'
    return null
  }
  if (!KINDS.has(r.kind)) return `unknown kind ${r.kind}`
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(r.module)) return 'bad module'
  if (!LEVELS.has(r.level)) return 'bad level'
  if (r.seq === null || !Number.isInteger(r.seq) || r.seq < 0) return 'bad seq'
  if (r.time === null ? r.timeMs !== null : typeof r.time !== 'string' || !Number.isFinite(r.timeMs)) return 'bad time'
  if (!line.includes(r.message)) return 'message not from the line'
  if ('thread' in r && typeof r.thread !== 'string') return 'bad thread'
  return null
}

const grammarOnly = (line: string): ParseResult => parseVlog(line, SOURCE, { fastPath: false })
// A tiny cache so evictions happen all the time.
const tinyCache = createVlogParser({ cacheEntries: 8 })

function sameResult (a: ParseResult, b: ParseResult): boolean {
  return JSON.stringify(a) === JSON.stringify(b) && Object.keys(a).length === Object.keys(b).length
}

function diff (line: string): string | null {
  let slow: ParseResult, fast: ParseResult, cached: ParseResult
  try {
    slow = grammarOnly(line)
    fast = parseVlog(line, SOURCE)
    cached = tinyCache(line, SOURCE)
  } catch (err) {
    return `threw ${String(err)}`
  }
  const bad = malformed(line, slow) ?? malformed(line, fast)
  if (bad !== null) return bad
  if (!sameResult(fast, slow)) return `fast path differs: ${JSON.stringify(fast)} vs grammar ${JSON.stringify(slow)}`
  if (!sameResult(cached, slow)) return `cached parser differs: ${JSON.stringify(cached)}`
  if (fast.kind !== 'unparsed') {
    const c = classifyBody(fast.module, fast.message)
    if (c.status === 'ambiguous') return `ambiguous body (${c.count} parses)`
  }
  return null
}

t.test('fixture lines: fast path = grammar', (t) => {
  t.ok(FIXTURE_LINES.length > 5000, `${FIXTURE_LINES.length} distinct lines`)
  const failures = FIXTURE_LINES.map((l) => [l, diff(l)] as const).filter(([, d]) => d !== null)
  t.same(failures.slice(0, 5), [])
  // the same lines again, now answered from the cache
  const again = FIXTURE_LINES.filter((l) => !sameResult(parseVlog(l, SOURCE), grammarOnly(l)))
  t.same(again.slice(0, 5), [])
  t.end()
})

// Pieces that reach into the envelope and body grammars.
const MODULES = ['binding', 'pinctrl', 'if_status', 'bridge', 'dpif', 'ofproto', 'bfd', 'reconnect', 'main', 'lport']
const WORDS = ['Claiming', 'lport', 'for', 'this', 'chassis', 'chassis.', 'additional', 'Changing', 'from', 'to', 'Releasing',
  '(sb_readonly=0)', '(sb_readonly=1)', 'Postponed', 'claim', 'on', 'logical', 'port', 'Not', 'claiming', 'requested-chassis',
  'pb->chassis', 'Setting', 'Removing', 'iface', 'up', 'down', 'in', 'Southbound', 'ovn-installed', 'OVS', 'virtual',
  'with', 'the', 'parent', 'Postponing', 'by', 'ms', 'if_status_handle_claims', 'is_vif', '=', 'bridge', 'br-int:', 'added',
  'deleted', 'interface', 'system', 'at', 'ovs-system:', 'system@ovs-system:', 'failed', 'add', 'as', 'port:', 'allocated',
  'ofp', 'number', 'cannot', 'configure', 'set', 'queues', 'nonexistent', 'bfd', 'LLDP', 'BFD', 'state', 'change:',
  'up->down', 'admin_down->init', '"No Diagnostic"', '"A"->"B"', '->', '(bfd.SessionState:', 'down,', 'bfd.LocalDiag:', ')',
  'Dropped', 'log', 'messages', 'last', 'seconds', '(most', 'recently,', 'ago)', 'due', 'excessive', 'rate',
  'p1', 'p1:', 'p1,', 'gw1', 'gw2.', '65535', '0', '1', '-1', 'fa:16:3e:00:00:01', '10.0.0.1/24', '::1', 'unknown', '"', '.', '']
const word = fc.constantFrom(...WORDS)
const message = fc.array(fc.tuple(word, fc.constantFrom(' ', ' ', ' ', '  ', '', '\t')), { maxLength: 30 })
  .map((ws) => ws.map(([w, s]) => w + s).join(''))
const timestamp = fc.oneof(
  fc.constantFrom('2024-05-14T09:12:03.118Z', '2024-05-14T09:12:03Z', '2024-05-14T09:12:03', '2024-02-30T00:00:00Z', '2024-13-01T00:00:00Z', '2024-05-14T09:12', 'ovs', 'ovs ', ''),
  fc.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,4})?Z?$/)
)
const thread = fc.constantFrom('', '()', '(monitor82)', '(pmd-c03/id:8)', '(a|b)', '(x', '(worker pool helper1)', '(ovs-vswitchd)')
const level = fc.constantFrom('INFO', 'DBG', 'WARN', 'ERR', 'EMER', 'info', 'INF', 'NOTICE', '')
const serial = fc.oneof(fc.constantFrom('00001', '4294967295', '', '1x'), fc.stringMatching(/^\d{1,8}$/))
const envelopeLine = fc.tuple(timestamp, serial, fc.constantFrom(...MODULES), thread, level, message, fc.constantFrom('', '\r', '|x'))
  .map(([ts, s, m, th, l, msg, tail]) => `${ts}|${s}|${m}${th}|${l}|${msg}${tail}`)

// Catalog templates with their `%s` / `%d` filled by awkward values.
const TEMPLATES: Array<[string, string]> = [
  ['binding', 'Claiming lport %s for this chassis.'], ['binding', 'Claiming lport %s for this additional chassis.'],
  ['binding', 'Changing chassis for lport %s from %s to %s.'], ['binding', 'Changing chassis for lport %s from %s to %s'],
  ['binding', '%s: Claiming %s'], ['binding', 'Releasing lport %s from this chassis.'], ['binding', 'Releasing lport %s from this chassis (sb_readonly=%d)'],
  ['binding', 'Releasing lport %s from this additional chassis.'], ['binding', 'Releasing lport %s'], ['binding', 'Postponed claim on logical port %s.'],
  ['binding', 'Not claiming lport %s, chassis %s requested-chassis %s'], ['binding', 'Not claiming lport %s, chassis %s requested-chassis %s pb->chassis %s'],
  ['binding', 'Setting lport %s up in Southbound'], ['binding', 'Setting lport %s down in Southbound'], ['binding', 'Setting lport %s ovn-installed in OVS'],
  ['binding', 'Removing lport %s ovn-installed in OVS'], ['binding', 'Removing iface %s ovn-installed in OVS'],
  ['if_status', 'if_status_handle_claims for %s'], ['if_status', 'if_status_handle_claims for %s, is_vif = %d'],
  ['pinctrl', 'Claiming virtual lport %s for this chassis with the virtual parent %s'], ['pinctrl', 'Postponing virtual lport %s claim by %d ms'],
  ['bridge', 'bridge %s: added interface %s on port %d'], ['bridge', 'bridge %s: deleted interface %s on port %d'],
  ['dpif', '%s: failed to add %s as port: %s'], ['ofproto', '%s: failed to allocated ofp port number for %s.'],
  ['ofproto', '%s: cannot configure %s on nonexistent port %d'], ['ofproto', '%s: cannot set queues on nonexistent port %d'],
  ['bfd', '%s: BFD state change: %s->%s "%s"->"%s".'],
  ['bfd', '%s: BFD state change: (bfd.SessionState: %s, bfd.LocalDiag: "%s") -> (bfd.SessionState: %s, bfd.LocalDiag: "%s")'],
  ['vlog', 'Dropped %d log messages in last %d seconds (most recently, %d seconds ago) due to excessive rate']
]
const FILLERS = ['p1', 'cr-lrp-5f0c2a1e', 'a.b.', 'x,', 'y:', 'gw1', '', 'two words', 'up', 'down', 'admin_down', 'init', 'bfd',
  'LLDP', 'queues', 'No Diagnostic', 'pb->chassis', 'system at ovs-system', 'fa:16:3e:00:00:01 10.0.0.1/24 unknown', '"q"', '0', '1', '65535', '-3', '12ms']
const templated = fc.tuple(fc.constantFrom(...TEMPLATES), fc.array(fc.constantFrom(...FILLERS), { minLength: 5, maxLength: 5 }), fc.constantFrom('', '', '.', ' '))
  .map(([[module, tpl], fill, tail]) => {
    let i = 0
    return `2024-05-14T09:12:03.118Z|04211|${module}|INFO|${tpl.replace(/%[sd]/g, () => fill[i++] ?? '')}${tail}`
  })

// Mutations of real records: cut, insert, delete, replace.
const EDIT_CHARS = '|()":. \t\r\u0000é😀\uD800-0aZT>'
const CUT = '\u2702' // cut the line here
const mutated = fc.tuple(fc.constantFrom(...RECORDS), fc.array(fc.tuple(fc.nat(), fc.nat(6), fc.constantFrom(...EDIT_CHARS.split(''), '', 'Claiming ', ' lport ', CUT)), { minLength: 1, maxLength: 4 }))
  .map(([line, edits]) => edits.reduce((s, [at, del, ins]) => {
    const i = s.length === 0 ? 0 : at % (s.length + 1)
    return ins === CUT ? s.slice(0, i) : s.slice(0, i) + ins + s.slice(i + del)
  }, line))

t.test('random and mutated lines: fast path = grammar, well-formed, no throw', (t) => {
  for (const [name, arb, runs] of [
    ['envelopes with template words', envelopeLine, 1000],
    ['filled templates', templated, 1500],
    ['mutated real records', mutated, 1000],
    ['arbitrary strings', fc.string({ unit: 'binary', maxLength: 200 }), 500]
  ] as const) {
    const r = fc.check(fc.property(arb as fc.Arbitrary<string>, (line) => diff(line) === null), { numRuns: runs, seed: 20261122 })
    t.notOk(r.failed, `${name}: ${r.counterexample === null ? '' : JSON.stringify(r.counterexample[0])} → ${r.counterexample === null ? '' : String(diff(r.counterexample[0] as string))}`)
  }
  t.end()
})

// The fixed-shape templates the fast path matches by regex, with random names and numbers and the
// edge cases a regex gets wrong: characters that end a word, huge or non-ASCII numbers, missing or
// doubled words, trailing spaces and periods.
const FIXED_TEMPLATES = [
  ['bridge %s: added interface %s on port %d'], ['bridge %s: deleted interface %s on port %d'],
  ['Dropped %d log messages in last %d seconds (most recently, %d seconds ago) due to excessive rate'],
  ['Claiming lport %s for this chassis.'], ['Claiming lport %s for this additional chassis.'],
  ['Changing chassis for lport %s from %s to %s.'], ['Changing chassis for lport %s from %s to %s'],
  ['%s: Claiming %s %s'], ['%s: Claiming %s'], ['%s: Claiming']
] as const
const wordName = fc.stringMatching(/^[A-Za-z0-9_.:,()-]{1,16}$/)
const oddName = fc.oneof(
  fc.constantFrom('br-int', 'tap0f3c9a1e-7b', 'br-int:', 'a:b', ':', '::', 'x.', '.', 'a.b.', 'p1,', '"q"', 'a"b', 'two words', '', ' ',
    'on', 'port', 'interface', 'added', 'é', '😀', '\uD800', 'a\tb', 'a\rb', 'a\nb', '-', '5', '|', '(x)'),
  fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', '_', ':', '.', ',', ' ', '"', '\t', '\r', '\n', '|', 'é', '😀', '\uDC00'), maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 })
)
const oddNumber = fc.oneof(
  fc.nat().map(String),
  fc.bigInt({ min: 0n, max: 10n ** 40n }).map(String),
  fc.constantFrom('0', '-0', '-1', '-65535', '007', '', '-', '+1', '1e3', '0x1f', '1.5', '5.', '5x', 'x5', ' 5', '٣', '５',
    '99999999999999999999', '9'.repeat(400), '4294967295', '65279')
)
// mostly well-formed fields (so each regex matches often), the rest odd
const often = <T>(good: fc.Arbitrary<T>, odd: fc.Arbitrary<T>, goodWeight: number): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: good, weight: goodWeight }, { arbitrary: odd, weight: 1 })
const fixedShape = fc.tuple(
  fc.constantFrom(...FIXED_TEMPLATES),
  fc.array(often(wordName, fc.oneof(oddName, oddNumber), 6), { minLength: 3, maxLength: 3 }),
  fc.array(often(fc.nat().map(String), fc.oneof(oddNumber, oddName), 6), { minLength: 3, maxLength: 3 }),
  often(fc.constantFrom('bridge', 'binding'), fc.constantFrom('ofproto', 'reconnect', 'pinctrl', 'Bridge', 'bridge_', 'binding_'), 2),
  often(fc.constant(''), fc.constantFrom(' ', '  ', '.', ' .', '\t', '\r', '\n', '"', ' x'), 3),
  fc.nat(40), often(fc.constant('keep'), fc.constantFrom('cut', 'double-space', 'drop-word', 'upper'), 5)
).map(([[tpl], names, nums, module, tail, at, edit]) => {
  let i = 0
  // `%s` gets a name, `%d` a number, from their own lists
  let msg = tpl.replace(/%[sd]/g, (f) => ((f === '%s' ? names : nums)[i++] ?? ''))
  const words = msg.split(' ')
  const w = at % words.length
  if (edit === 'cut') msg = words.slice(0, w).join(' ')
  if (edit === 'double-space') msg = [...words.slice(0, w), '', ...words.slice(w)].join(' ')
  if (edit === 'drop-word') msg = [...words.slice(0, w), ...words.slice(w + 1)].join(' ')
  if (edit === 'upper') msg = msg.toUpperCase()
  return { module, msg: msg + tail }
})

/** Why the regex classifier and the grammar disagree on one body, or null. */
function fixedShapeDiff (module: string, msg: string): string | null {
  const g = classifyBody(module, msg)
  const f = classifyFixedShape(module, msg)
  const fixedKind = g.status === 'ok' && ['iface-added', 'iface-deleted', 'vlog-dropped', 'lport-claim', 'lport-chassis-change', 'lport-claim-addresses'].includes(g.body.kind)
  if (f === undefined) return fixedKind ? `regex misses what the grammar takes: ${JSON.stringify(g)}` : null
  if (g.status !== 'ok') return `regex takes what the grammar does not: ${JSON.stringify(f)} vs ${g.status}`
  return JSON.stringify(f) === JSON.stringify(g.body) ? null : `regex ${JSON.stringify(f)} vs grammar ${JSON.stringify(g.body)}`
}

t.test('fixed-shape templates: the regex classifier takes exactly what the grammar takes, with the same body', (t) => {
  const r = fc.check(fc.property(fixedShape, ({ module, msg }) => {
    const line = `2024-05-14T09:12:03.118Z|04211|${module}|INFO|${msg}`
    return fixedShapeDiff(module, msg) === null && diff(line) === null
  }), { numRuns: 3000, seed: 20261122 })
  const c = r.counterexample?.[0]
  t.notOk(r.failed, c === undefined ? '' : `${JSON.stringify(c)} → ${String(fixedShapeDiff(c.module, c.msg) ?? diff(`2024-05-14T09:12:03.118Z|04211|${c.module}|INFO|${c.msg}`))}`)
  // the same through eventFromEnvelope (syslog envelopes), with and without a period at the end
  const e = fc.check(fc.property(fixedShape, ({ module, msg }) => {
    const env = { time: null, timeMs: null, seq: null, module, level: 'INFO' as const, message: msg, source: SOURCE }
    const g = classifyBody(module, msg)
    const want = g.status === 'ok' ? g.body.kind : 'vlog'
    const ev = eventFromEnvelope(env)
    return ev.kind === want && (g.status !== 'ok' || JSON.stringify({ ...ev, ...g.body }) === JSON.stringify(ev))
  }), { numRuns: 1000, seed: 11 })
  t.notOk(e.failed, JSON.stringify(e.counterexample))
  t.end()
})

t.test('the fixed-shape generator reaches both sides of every regex', (t) => {
  const seen = new Map<string, number>()
  for (const { module, msg } of fc.sample(fixedShape, { numRuns: 5000, seed: 20261122 })) {
    const f = classifyFixedShape(module, msg)
    const k = f === undefined ? 'none' : f.kind
    seen.set(k, (seen.get(k) ?? 0) + 1)
  }
  for (const k of ['iface-added', 'iface-deleted', 'vlog-dropped', 'lport-claim', 'lport-chassis-change', 'lport-claim-addresses', 'none']) t.ok((seen.get(k) ?? 0) >= 50, `${k}: ${seen.get(k) ?? 0}`)
  // hand-picked edges, each checked against the grammar (not against a written-down answer)
  const EDGES: Array<[string, string]> = [
    ['bridge', 'bridge br-int: added interface tap1 on port 5'], ['bridge', 'bridge br-int: added interface tap1 on port 5.'],
    ['bridge', 'bridge br-int: added interface tap1 on port 5 '], ['bridge', 'bridge br-int: added interface tap1 on port'],
    ['bridge', 'bridge br-int: added interface tap1 on port -0'], ['bridge', 'bridge br-int: added interface tap1 on port 1e3'],
    ['bridge', 'bridge br-int: deleted interface a.b. on port ' + '9'.repeat(30)], ['bridge', 'bridge br::: added interface x on port 1'],
    ['bridge', 'bridge : added interface x on port 1'], ['bridge', 'bridge br-int: added interface "x" on port 1'],
    ['bridge', 'bridge br-int: added interface x\ty on port 1'], ['bridge', 'bridge br-int: added interface x\ny on port 1'],
    ['ofproto', 'bridge br-int: added interface x on port 1'],
    ['reconnect', 'Dropped 7 log messages in last 60 seconds (most recently, 2 seconds ago) due to excessive rate'],
    ['reconnect', 'Dropped 7 log messages in last 60 seconds (most recently, 2 seconds ago) due to excessive rate.'],
    ['bridge', 'Dropped 007 log messages in last 60 seconds (most recently, 2 seconds ago) due to excessive'],
    ['bridge', 'Dropped -7 log messages in last 60 seconds (most recently, 2 seconds ago) due to excessive rate'],
    ['binding', 'Claiming lport cr-lrp-1 for this chassis.'], ['binding', 'Claiming lport cr-lrp-1 for this additional chassis.'],
    ['binding', 'Claiming lport cr-lrp-1 for this chassis'], ['binding', 'Claiming lport cr-lrp-1 for this chassis..'],
    ['binding', 'Claiming lport x. for this chassis.'], ['binding', 'Claiming lport . for this chassis.'],
    ['binding', 'Claiming lport "x" for this chassis.'], ['binding', 'Claiming lport  x for this chassis.'],
    ['pinctrl', 'Claiming lport x for this chassis.'], ['binding', 'Claiming lport x\ty for this chassis.'],
    ['binding', 'Changing chassis for lport p from gw1 to gw2.'], ['binding', 'Changing chassis for lport p from gw1 to gw2'],
    ['binding', 'Changing chassis for lport p from gw1 to .'], ['binding', 'Changing chassis for lport p from gw1 to ..'],
    ['binding', 'Changing chassis for lport p from gw1 to a..'], ['binding', 'Changing chassis for lport p from gw1 to .a'],
    ['binding', 'Changing chassis for lport p from . to a.'], ['binding', 'Changing chassis for lport p from gw1 to gw2. '],
    ['binding', 'Changing chassis for lport p from gw1 to gw2\r'], ['binding', 'Changing chassis for lport p from  to gw2.'],
    ['binding', 'Changing chassis for lport p from gw1 to "gw2".'], ['binding', 'Changing chassis for lport p from gw1 to gw2 x.'],
    ['binding', 'p1: Claiming fa:16:3e:11:22:33 10.0.0.5'], ['binding', 'p1: Claiming fa:16:3e:11:22:33 10.0.0.5/24 fd00::5/64'],
    ['binding', 'p1: Claiming'], ['binding', 'p1: Claiming '], ['binding', 'p1: Claiming  x'], ['binding', 'p1: Claiming.'],
    ['binding', 'p1: Claiming unknown'], ['binding', 'p1: Claiming "a b" c.'], ['binding', ': Claiming x'], ['binding', 'a:b:: Claiming x'],
    ['binding', 'p1:  Claiming x'], ['binding', 'p1: Claiming\nx'], ['binding', 'p1: Claimingx'], ['binding', '"p1": Claiming x'],
    ['pinctrl', 'p1: Claiming x'], ['binding', 'p1: Claiming x\ny'], ['binding', 'Claiming: Claiming x'], ['binding', 'Dropped: Claiming x'],
    ['binding', 'Port1: Claiming x'], ['binding', 'Ready: Claiming x'], ['binding', 'Node-a: Claiming x'], ['binding', 'Svc: Claiming x']
  ]
  // and whole lines: the fast path (prefilter, cache, regexes) against the grammar alone
  for (const [module, msg] of EDGES) t.equal(fixedShapeDiff(module, msg) ?? diff(`2024-05-14T09:12:03.118Z|04211|${module}|INFO|${msg}`), null, JSON.stringify(msg))
  t.end()
})

t.test('the generators do reach typed events and every failure code', (t) => {
  const kinds = new Set<string>()
  for (const line of [...fc.sample(envelopeLine, { numRuns: 2000, seed: 1 }), ...fc.sample(templated, { numRuns: 2000, seed: 1 }), ...fc.sample(mutated, { numRuns: 500, seed: 1 })]) {
    const r = parseVlog(line, SOURCE)
    kinds.add(r.kind === 'unparsed' ? r.code : r.kind)
  }
  for (const k of ['vlog', 'truncated', 'bad-level', 'bad-timestamp', 'not-vlog']) t.ok(kinds.has(k), `reaches ${k}`)
  t.ok([...kinds].filter((k) => KINDS.has(k) && k !== 'vlog').length >= 14, `reaches typed events: ${[...kinds].join(' ')}`)
  t.end()
})

t.test('eventFromEnvelope never throws and keeps the envelope', (t) => {
  const r = fc.check(fc.property(
    fc.oneof(fc.constantFrom(...MODULES), fc.string({ maxLength: 12 })),
    fc.oneof(message, fc.string({ unit: 'binary', maxLength: 300 })),
    (module, msg) => {
      const env = { time: null, timeMs: null, seq: null, module, level: 'INFO' as const, message: msg, source: SOURCE }
      const ev = eventFromEnvelope(env)
      return KINDS.has(ev.kind) && ev.module === module && ev.message === msg && ev.seq === null && ev.source === SOURCE
    }), { numRuns: 1000, seed: 7 })
  t.notOk(r.failed, JSON.stringify(r.counterexample))
  t.end()
})
