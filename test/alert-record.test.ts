import t from 'tap'
import { readFileSync } from 'node:fs'
import { toAlertRecord, handoffPairs, faultNode } from '../src/alert/alert-record.js'
import { alertMessage, clean, shortName } from '../src/alert/message.js'
import { VERSION } from '../src/version.js'
import type { ClaimStormSignal, ParseResult, Signal, SignalKind } from '../src/types.js'
import { serializeAlert } from '../src/alert/serialize.js'
import { parseLine } from '../src/parse/parse-line.js'
import { createDetector } from '../src/detect/detector.js'
import { labLogs } from './helpers/fixtures.js'
import {
  DOCS_PATH, elasticsearchMapping, exampleSignals, exampleSignalsAllStatuses, renderAlertDocs, updatedDocs, withStatus
} from '../scripts/alert-examples.js'

function example<K extends SignalKind> (kind: K): Extract<Signal, { kind: K }> {
  const s = exampleSignals().find((x) => x.kind === kind)
  if (s === undefined) throw new Error(`no example ${kind}`)
  return s as Extract<Signal, { kind: K }>
}

/** Scenario 3 of the lab: VM_A's iface-id plugged on hv2 and hv3 as well; hv2 is in most hand-offs. */
function vifStorm (): ClaimStormSignal {
  return {
    kind: 'claim-storm',
    key: 'claim-storm:36116ceb-7e6f-4a23-9d0b-8ac0a3a3b1c4',
    status: 'firing',
    severity: 'critical',
    startMs: Date.parse('2026-11-22T07:43:10.204Z'),
    lastMs: Date.parse('2026-11-22T07:44:10.870Z'),
    lport: '36116ceb-7e6f-4a23-9d0b-8ac0a3a3b1c4',
    portClass: 'vif',
    claimActs: 244,
    handoffs: 240,
    handoffPairs: { 'hv1->hv2': 80, 'hv2->hv1': 80, 'hv2->hv3': 25, 'hv3->hv2': 25, 'hv1->hv3': 15, 'hv3->hv1': 15 },
    claimsPerSec: 4.02,
    peakClaimsPerSec: 7,
    participants: [
      { node: 'hv3', claims: 41, releases: 1, claimsPerSec: 2.0 },
      { node: 'hv1', claims: 90, releases: 0, claimsPerSec: 2.27 },
      { node: 'hv2', claims: 113, releases: 1, claimsPerSec: 2.8 }
    ],
    // deliberately not in score order: the record must sort them
    suspects: [
      { node: 'hv3', score: 0.4, reasons: ['joined the fight last'] },
      { node: 'hv2', score: 0.8, reasons: ['duplicate iface-id: port seen on a second chassis'] }
    ],
    undetermined: false,
    throttle: { regime: '500ms', minReclaimIntervalMs: 500, inferred: false }
  }
}

t.test('times: @timestamp is the latest evidence for every status; start, end and duration', async (t) => {
  for (const s of exampleSignalsAllStatuses()) {
    const r = toAlertRecord(s)
    const name = `${s.kind} ${s.status}`
    t.equal(r['@timestamp'], new Date(s.lastMs).toISOString(), `${name}: @timestamp = lastMs`)
    t.equal(r.event.start, new Date(s.startMs).toISOString(), `${name}: event.start = startMs`)
    t.equal(r.event.duration, (s.lastMs - s.startMs) * 1e6, `${name}: duration in ns`)
    if (s.status === 'resolved') t.equal(r.event.end, new Date(s.lastMs).toISOString(), `${name}: end`)
    else t.notOk('end' in r.event, `${name}: no end while open`)
  }
  const storm = example('claim-storm')
  t.equal(toAlertRecord(storm).event.duration, 21_046_000_000, '21.046 s')
})

t.test('fixed ECS fields', async (t) => {
  for (const s of exampleSignalsAllStatuses()) {
    const r = toAlertRecord(s)
    t.equal(r.event.kind, 'alert')
    t.equal(r.event.action, s.status)
    t.equal(r.event.dataset, 'claimstorm.alert')
    t.equal(r.rule.id, s.kind)
    t.equal(r.observer.product, 'claimstorm')
    t.equal(r.observer.version, VERSION)
    t.equal(r.ecs.version, '8.11.0')
    t.equal(r.ovn.key, s.key)
    t.strictSame(r.tags.slice(0, 2), ['claimstorm', s.kind])
    t.equal(r.message, alertMessage(s), 'message is alertMessage')
  }
  t.equal(toAlertRecord(example('port-flap'), { observerVersion: '9.9.9' }).observer.version, '9.9.9')
})

t.test('severity: numeric scale, log.level info once resolved, labels keep the severity', async (t) => {
  const storm = example('claim-storm')
  const cases = [['info', 1], ['warning', 2], ['critical', 3]] as const
  for (const [severity, n] of cases) {
    const firing = toAlertRecord({ ...storm, severity })
    t.equal(firing.event.severity, n)
    t.equal(firing.log.level, severity)
    const resolved = toAlertRecord(withStatus({ ...storm, severity }, 'resolved'))
    t.equal(resolved.event.severity, n)
    t.equal(resolved.log.level, 'info')
    t.equal(resolved.labels.severity, severity)
  }
})

t.test('host.name: the top suspect, the node of node-scoped rules, absent when undetermined', async (t) => {
  t.equal(toAlertRecord(example('claim-storm')).host?.name, 'gw3')
  t.equal(toAlertRecord(vifStorm()).host?.name, 'hv2', 'highest score, not the first listed')
  for (const kind of ['port-flap', 'ofport-exhausted', 'ofport-leak'] as const) {
    t.equal(toAlertRecord(example(kind)).host?.name, 'hv2', kind)
  }
  t.equal(toAlertRecord(example('bfd-mass-down')).host?.name, 'gw3')

  const load = toAlertRecord(example('claim-load'))
  t.notOk('host' in load, 'claim-load has no node at fault')
  t.equal(load.labels.node, 'unknown')

  const undetermined = toAlertRecord({ ...example('claim-storm'), undetermined: true })
  t.notOk('host' in undetermined)
  t.equal(undetermined.labels.node, 'unknown')
  t.ok(undetermined.tags.includes('undetermined'))

  const noSuspects = toAlertRecord({ ...example('claim-storm'), suspects: [] })
  t.notOk('host' in noSuspects)

  const unattributed = toAlertRecord({ ...example('bfd-mass-down'), node: 'unknown' })
  t.notOk('host' in unattributed, 'the detector\'s placeholder for lines without a node is no host')
  t.equal(unattributed.labels.node, 'unknown')
})

t.test('labels: exactly rule, severity, status, node, and never a port, interface or key', async (t) => {
  const storm = example('claim-storm')
  const hostilePort = { ...storm, lport: 'gw3', key: 'claim-storm:gw3' }
  const signals = [...exampleSignalsAllStatuses(), vifStorm(), hostilePort]
  for (const s of signals) {
    const r = toAlertRecord(s)
    t.strictSame(Object.keys(r.labels).sort(), ['node', 'rule', 'severity', 'status'], `${s.kind} ${s.status}`)
    t.strictSame(r.labels, { rule: s.kind, severity: s.severity, status: s.status, node: r.host?.name ?? 'unknown' })
    const highCardinality = [r.ovn.lport, r.ovn.iface, ...(r.ovn.lports ?? []), ...(r.ovn.ifaces ?? [])]
    for (const v of highCardinality) {
      if (v === undefined || v === r.host?.name) continue
      t.notOk(Object.values(r.labels).includes(v as never), `${s.kind}: ${v} is not a label value`)
    }
  }
})

t.test('claim-storm evidence', async (t) => {
  const r = toAlertRecord(vifStorm())
  t.equal(r.ovn.lport, '36116ceb-7e6f-4a23-9d0b-8ac0a3a3b1c4')
  t.equal(r.ovn.port_class, 'vif')
  t.ok(r.tags.includes('vif'))
  t.equal(r.ovn.claim_acts, 244)
  t.equal(r.ovn.handoffs, 240)
  t.strictSame(r.ovn.handoff_pairs?.slice(0, 3), [
    { from: 'hv1', to: 'hv2', count: 80 }, { from: 'hv2', to: 'hv1', count: 80 }, { from: 'hv2', to: 'hv3', count: 25 }
  ], 'most frequent first, ties by name')
  t.strictSame(r.ovn.participants?.map((p) => p.node), ['hv2', 'hv1', 'hv3'], 'most claims first')
  t.strictSame(r.ovn.suspects?.map((p) => p.node), ['hv2', 'hv3'], 'most suspicious first')
  t.strictSame(r.ovn.throttle, { regime: '500ms', min_reclaim_interval_ms: 500, inferred: false })
  const none = toAlertRecord({ ...vifStorm(), throttle: { regime: 'none', minReclaimIntervalMs: null, inferred: true } })
  t.strictSame(none.ovn.throttle, { regime: 'none', inferred: true }, 'no interval without a throttle')
  t.strictSame(handoffPairs({ odd: 2 }), [{ from: 'odd', to: '', count: 2 }], 'a pair without an arrow is kept')
})

t.test('other rules\' evidence', async (t) => {
  const load = toAlertRecord(example('claim-load'))
  t.equal(load.ovn.lport_count, 5)
  t.equal(load.ovn.lports?.length, 5)
  t.strictSame(load.ovn.nodes, ['gw1', 'gw2', 'gw3'])
  t.equal(load.ovn.claims_per_sec, 19.72)

  const flap = toAlertRecord(example('port-flap'))
  t.strictSame([flap.ovn.claims, flap.ovn.releases, flap.ovn.cycles_per_sec], [20, 20, 1.658])
  t.strictSame([flap.ovn.ofports?.[0], flap.ovn.ofports?.at(-1)], [9, 28])
  const { ofports: _ofports, ...noOfports } = example('port-flap')
  t.notOk('ofports' in toAlertRecord(noOfports).ovn)

  const leak = toAlertRecord(example('ofport-leak'))
  t.strictSame([leak.ovn.first_ofport, leak.ovn.last_ofport, leak.ovn.readds], [9, 28, 19])
  t.equal(leak.ovn.estimated_exhaustion, '2026-11-22T13:31:34.865Z', '32739 numbers left at 94.5 a minute')
  t.notOk('estimated_exhaustion' in toAlertRecord({ ...example('ofport-leak'), estimatedExhaustionMs: null }).ovn)

  const exhausted = toAlertRecord(example('ofport-exhausted'))
  t.equal(exhausted.ovn.trigger, 'alloc-failed')
  const { iface: _iface, ...noIface } = example('ofport-exhausted')
  t.notOk('iface' in toAlertRecord(noIface).ovn)

  const bfd = toAlertRecord({ ...example('bfd-mass-down'), downLogged: 3, hiddenEstimate: 9, estimated: true })
  t.equal(bfd.ovn.down_total, 12)
  t.ok(bfd.tags.includes('estimated'))

  const shutdown = toAlertRecord(withStatus(example('bfd-mass-down'), 'resolved', 'shutdown'))
  t.equal(shutdown.ovn.resolved_by, 'shutdown')
  t.ok(shutdown.tags.includes('shutdown'))
  t.notOk('resolved_by' in toAlertRecord(example('bfd-mass-down')).ovn)
})

t.test('maxListItems bounds every list; the counts keep the truth', async (t) => {
  const ports = Array.from({ length: 500 }, (_, i) => `lport-${i}`)
  const load = toAlertRecord({ ...example('claim-load'), ports }, { maxListItems: 10 })
  t.equal(load.ovn.lports?.length, 10)
  t.equal(load.ovn.lport_count, 500)
  t.equal(toAlertRecord({ ...example('claim-load'), ports }).ovn.lports?.length, 100, 'default 100')
  const ifaces = Array.from({ length: 300 }, (_, i) => `ovn-hv${i}-0`)
  const bfd = toAlertRecord({ ...example('bfd-mass-down'), ifaces }, { maxListItems: 3 })
  t.strictSame(bfd.ovn.ifaces, ['ovn-hv0-0', 'ovn-hv1-0', 'ovn-hv2-0'])
  t.equal(bfd.ovn.iface_count, 300)
  const storm = toAlertRecord(vifStorm(), { maxListItems: 1 })
  t.equal(storm.ovn.participants?.length, 1)
  t.equal(storm.ovn.suspects?.length, 1)
  t.equal(storm.ovn.suspects?.[0]?.reasons.length, 1)
  t.equal(storm.ovn.handoff_pairs?.length, 1)
  t.equal(toAlertRecord(vifStorm(), { maxListItems: Number.NaN }).ovn.participants?.length, 3, 'nonsense falls back to the default')
})

t.test('toAlertRecord is pure: same input, same output, input untouched', async (t) => {
  for (const s of [...exampleSignalsAllStatuses(), vifStorm()]) {
    const before = structuredClone(s)
    const a = toAlertRecord(s)
    t.strictSame(s, before, 'signal not modified')
    t.strictSame(toAlertRecord(s), a)
  }
})

t.test('message: one sentence naming the port, the suspect and the rate', async (t) => {
  const storm = example('claim-storm')
  for (const status of ['firing', 'update', 'resolved'] as const) {
    const m = alertMessage(withStatus(storm, status))
    t.match(m, 'cr-lrp-83cee638…', `${status}: port`)
    t.match(m, /\bgw3\b.*(is|was) in every hand-off/, `${status}: suspect`)
    t.match(m, '4.1 claims/s', `${status}: rate`)
    t.match(m, '86 times', `${status}: how much`)
    t.match(m, 'in 21 s', `${status}: how long`)
  }
  t.match(alertMessage(storm), /drain or fix gw3 first\.$/)
  t.match(alertMessage(withStatus(storm, 'resolved')), /^Claim storm on gateway port cr-lrp-83cee638… ended: /)
  t.match(alertMessage(withStatus(storm, 'resolved', 'shutdown')), /still open when claimstorm stopped/)

  const vif = alertMessage(vifStorm())
  t.match(vif, /^Claim storm on VIF port 36116ceb…: hv2, hv1 and hv3 took it from each other 240 times in 1 min 1 s \(4 claims\/s, peak 7\)/)
  t.match(vif, 'hv2 is in 88% of the hand-offs', '(160 + 50) / 240 hand-offs involve hv2')
  t.match(vif, 'check hv2 first for a second interface')

  const undetermined = alertMessage({ ...storm, undetermined: true })
  t.match(undetermined, 'no single node stands out')
  t.match(undetermined, 'check BFD and the underlay between gw1 and gw3')
  t.notMatch(undetermined, 'drain')

  const weak = alertMessage({ ...storm, handoffPairs: { 'gw1->gw2': 40, 'gw2->gw1': 40, 'gw3->gw1': 6 } })
  t.match(weak, 'gw3 is the main suspect: claims every stormed port (5/5) — drain', 'the reason the runner-up does not share')

  // Both claimants of a two-node fight are in every hand-off: the sentence adds what sets the suspect apart.
  t.match(alertMessage(storm), 'gw3 is in every hand-off and claims every stormed port (5/5) — drain or fix gw3 first.')
  const [gw3, gw1] = storm.suspects
  if (gw3 === undefined || gw1 === undefined) throw new Error('example suspects')
  const sameReasons = { ...storm, suspects: [gw3, { ...gw1, reasons: gw3.reasons }] }
  t.match(alertMessage(sameReasons), /gw3 is in every hand-off — drain/, 'nothing to add when every reason is shared')
  const onlyLong = { ...storm, handoffPairs: {}, suspects: [{ ...gw3, reasons: [gw3.reasons[1] ?? ''] }] }
  t.match(alertMessage(onlyLong), 'gw3 is the main suspect: BFD went down 4× on sessions at either end — drain', 'a long detail list is dropped')

  const alone = alertMessage({ ...storm, participants: [{ node: 'gw3', claims: 86, releases: 0, claimsPerSec: 4.1 }] })
  t.match(alone, 'gw3 claimed it 86 times')

  for (const s of [...exampleSignalsAllStatuses(), vifStorm()]) {
    const m = alertMessage(s)
    t.notMatch(m, /[\n\r]/, `${s.kind}: one line`)
    t.match(m, /^[A-Z].*\.$/, `${s.kind}: a sentence`)
    t.equal(m.split('. ').length, 1, `${s.kind}: one sentence`)
  }
})

t.test('message per rule names where and who', async (t) => {
  const load = alertMessage(example('claim-load'))
  t.match(load, '19.7 claims/s (peak 22)')
  t.match(load, '5 ports (cr-lrp-003518a7…, cr-lrp-160e6762…, cr-lrp-29acd5cc… and 2 more)')
  t.match(load, 'gw1, gw2 and gw3')

  const flap = alertMessage(example('port-flap'))
  t.match(flap, /^Port flap of 5ae51ed2… on hv2: claimed 20 and released 20 times in 12 s \(1\.7 cycles\/s\), ofport 9 → 28/)

  const exhausted = alertMessage(example('ofport-exhausted'))
  t.match(exhausted, 'bridge br-int of hv2')
  t.match(exhausted, 'no OpenFlow port number left for tap5ae51ed2-c0')
  t.match(alertMessage({ ...example('ofport-exhausted'), trigger: 'ofport-65535' }), 'tap5ae51ed2-c0 was put on port 65535')
  t.match(alertMessage({ ...example('ofport-exhausted'), trigger: 'nonexistent-port-65535' }), 'nonexistent port 65535')

  const leak = alertMessage(example('ofport-leak'))
  t.match(leak, 'tap5ae51ed2-c0 re-added 19 times in 12 s, ofport 9 → 28 (+94.5 per minute)')
  t.match(leak, 'run out around 2026-11-22T13:31Z')
  t.notMatch(alertMessage(withStatus(example('ofport-leak'), 'resolved')), 'run out', 'no forecast once resolved')
  t.match(alertMessage({ ...example('ofport-leak'), busyErrors: 3 }), '3 busy errors')

  const bfd = alertMessage(example('bfd-mass-down'))
  t.match(bfd, /^Mass BFD down on gw3: BFD went down 2 times on 2 tunnels \(ovn-gw1-0 and ovn-gw2-0\) within a second/)
  t.match(alertMessage({ ...example('bfd-mass-down'), hiddenEstimate: 9 }), 'about 9 more hidden by log rate limiting')
})

t.test('message: durations and rates read naturally', async (t) => {
  const flap = example('port-flap')
  const at = (ms: number, cyclesPerSec = 1): string => alertMessage({ ...flap, startMs: 0, lastMs: ms, cyclesPerSec })
  t.match(at(2500), 'in 2.5 s')
  t.match(at(59_400), 'in 59 s')
  t.match(at(200_000), 'in 3 min 20 s')
  t.match(at(180_000), 'in 3 min (')
  t.match(at(7_500_000), 'in 2 h 5 min')
  t.match(at(3 * 86_400_000 + 4 * 3_600_000), 'in 3 d 4 h')
  t.match(at(400), 'within a second')
  t.match(at(1000, 0.034), '(0.03 cycles/s)')
  t.match(at(1000, 250.4), '(250 cycles/s)')
  t.match(at(1000, 0), '(0 cycles/s)')
})

t.test('message: log-supplied names cannot forge lines or reorder text', async (t) => {
  const evil = 'tap\n2026-11-22T00:00:00Z|00001|bridge|INFO|all good\u2028\u202egnp.exe\u0000\ud800'
  const m = alertMessage({ ...example('ofport-leak'), iface: evil, node: `hv2\r\n${evil}` })
  t.notMatch(m, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/)
  t.notMatch(m, /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/)
  t.match(m, 'tap\ufffd2026-11-22T00:00:00Z')
  t.equal(clean('x'.repeat(200)).length, 64)
  t.match(clean('x'.repeat(200)), /…$/)
  t.equal(clean(`${'x'.repeat(62)}🚀🚀`), `${'x'.repeat(62)}…`, 'a surrogate pair is never split')
  t.equal(clean('ok 🚀'), 'ok 🚀', 'valid pairs stay')
  t.equal(shortName('cr-lrp-83cee638-ce95-4eb1-b59b-1616db71fa90'), 'cr-lrp-83cee638…')
  t.equal(shortName('5ae51ed2-c03a-4d4f-9b80-27a8d4e6720b'), '5ae51ed2…')
  t.equal(shortName('tap5ae51ed2-c0'), 'tap5ae51ed2-c0')
})

t.test('a claim storm without participants or pairs still reads', async (t) => {
  const storm = { ...example('claim-storm'), participants: [], undetermined: true }
  t.match(alertMessage(storm), 'gw1 and gw3 took it from each other 86 times', 'names from the hand-off pairs')
  t.match(alertMessage({ ...storm, handoffPairs: {} }), 'Claim storm on gateway port cr-lrp-83cee638…: 86 claims in 21 s')
})

t.test('an unknown signal kind (untyped caller) is a StormError, and alertMessage still answers', async (t) => {
  const bogus = { ...example('port-flap'), kind: 'bogus' } as unknown as Signal
  t.throws(() => toAlertRecord(bogus), { name: 'StormError', code: 'E_INPUT' })
  t.match(alertMessage(bogus), 'unknown signal kind')
  t.equal(faultNode(bogus), undefined)
})

t.test('the Elasticsearch mapping in the docs types every field from the schema', async (t) => {
  const m = elasticsearchMapping() as { properties: Record<string, { type?: string, properties?: Record<string, { type?: string, properties?: Record<string, { type?: string }> }> }> }
  t.equal(m.properties['@timestamp']?.type, 'date')
  t.equal(m.properties['message']?.type, 'match_only_text')
  t.equal(m.properties['event']?.properties?.['duration']?.type, 'long')
  const ovn = m.properties['ovn']?.properties ?? {}
  t.equal(ovn['claims_per_sec']?.type, 'double', 'rates are double even when a value happens to be whole')
  t.equal(ovn['peak_claims_per_sec']?.type, 'double')
  t.equal(ovn['estimated_exhaustion']?.type, 'date')
  t.equal(ovn['lport']?.type, 'keyword')
  t.equal(ovn['ofports']?.type, 'long', 'an array maps as its items')
  t.equal(ovn['participants']?.properties?.['claims_per_sec']?.type, 'double')
  t.equal(ovn['throttle']?.properties?.['inferred']?.type, 'boolean')
})

t.test('docs/alert-record.md carries the current generated section', async (t) => {
  const docs = readFileSync(DOCS_PATH, 'utf8')
  t.equal(docs, updatedDocs(docs), 'run: node --import tsx scripts/alert-examples.ts --write')
  t.ok(docs.includes(renderAlertDocs()))
  t.throws(() => updatedDocs('no markers'), /markers not found/)
})

// Every Signal field the record maps (or deliberately leaves to other fields). A field the detector adds
// to src/types.ts shows up here first: map it in src/alert/alert-record.ts, then list it.
const MAPPED: Record<SignalKind, readonly string[]> = {
  'claim-storm': ['lport', 'portClass', 'claimActs', 'handoffs', 'handoffPairs', 'claimsPerSec', 'peakClaimsPerSec', 'participants', 'suspects', 'undetermined', 'throttle'],
  'claim-load': ['claimsPerSec', 'peakClaimsPerSec', 'ports', 'nodes'],
  'port-flap': ['lport', 'node', 'claims', 'releases', 'cyclesPerSec', 'ofports'],
  'ofport-exhausted': ['node', 'bridge', 'iface', 'trigger', 'lines'],
  'ofport-leak': ['node', 'bridge', 'iface', 'readds', 'firstOfport', 'lastOfport', 'growthPerMin', 'busyErrors', 'estimatedExhaustionMs'],
  'bfd-mass-down': ['node', 'downLogged', 'hiddenEstimate', 'ifaces', 'estimated']
}
const BASE = ['kind', 'key', 'status', 'severity', 'startMs', 'lastMs', 'resolvedBy']

/** What the real parser + detector make of one lab scenario (lines of all nodes, in time order). */
function labSignals (scenario: string): Signal[] {
  const results: ParseResult[] = []
  for (const log of labLogs('sample', scenario)) {
    for (const line of log.lines) results.push(parseLine(line, { source: { node: log.node } }))
  }
  const time = (r: ParseResult): number => (r.kind === 'unparsed' ? 0 : r.timeMs ?? 0)
  results.sort((a, b) => time(a) - time(b))
  const detector = createDetector()
  const out: Signal[] = []
  for (const r of results) out.push(...detector.push(r))
  out.push(...detector.flush())
  return out
}

t.test('real signals (lab scenarios 5 and 7 through the parser and detector) map and round-trip', async (t) => {
  const signals = [...labSignals('07-multi-gw-bad-node-storm'), ...labSignals('05-port-flap-ofport-growth')]
  t.ok(signals.length > 0)
  for (const s of [...signals, ...exampleSignalsAllStatuses()]) {
    const unmapped = Object.keys(s).filter((k) => !BASE.includes(k) && !MAPPED[s.kind].includes(k))
    t.strictSame(unmapped, [], `${s.kind}: every field is mapped`)
    const r = toAlertRecord(s)
    t.strictSame(JSON.parse(serializeAlert(r)), r, `${s.kind} ${s.status} round-trips`)
  }
  // Scenario 7's ground truth: gw3 is in every hand-off of all five cr-lrps.
  const storms = signals.filter((s) => s.kind === 'claim-storm' && s.status !== 'firing').map((s) => toAlertRecord(s))
  t.equal(new Set(storms.map((r) => r.ovn.lport)).size, 5, 'five ports')
  for (const r of storms.filter((x) => x.host !== undefined)) {
    t.equal(r.host?.name, 'gw3')
    t.match(r.message, r.event.action === 'resolved'
      ? /; gw3 (is|was) in every hand-off( and claims every stormed port \(5\/5\))?\.$/
      : /; gw3 is in every hand-off( and claims every stormed port \(5\/5\))? — drain or fix gw3 first\.$/)
    t.match(r.message, /cr-lrp-[0-9a-f]{8}…/)
  }
  t.ok(storms.some((r) => r.host?.name === 'gw3'), 'gw3 named at least once')
  const flap = signals.find((s) => s.kind === 'port-flap')
  t.match(flap === undefined ? '' : alertMessage(flap), /^Port flap of 5ae51ed2… on hv2: /)
})
