// The detector's pure core, fed events built directly (no parser): lifecycle, time handling, each rule's
// thresholds, bounded state, snapshot and stats.
import t from 'tap'
import { createDetector } from '../src/detect/detector.js'
import { DEFAULT_DETECTOR_OPTIONS, resolveDetectorOptions } from '../src/detect/options.js'
import { isStormError } from '../src/errors.js'
import type {
  BfdStateChangeEvent, IfaceAddedEvent, LportChassisChangeEvent, LportClaimEvent, LportReleaseEvent, OvsEvent,
  PortAddFailedEvent, Signal, Source, VlogDroppedEvent
} from '../src/types.js'

const T0 = Date.parse('2026-03-01T12:00:00.000Z')
const GW = 'cr-lrp-11111111-2222-3333-4444-555555555555'
const VIF = '36116ceb-172b-452a-8919-f19c093f9e21'

let seq = 0
function env (node: string, t: number | null, module: string, message: string, source: Partial<Source> = {}): Omit<OvsEvent, 'kind'> {
  return { time: t === null ? null : new Date(t).toISOString(), timeMs: t, seq: ++seq, module, level: 'INFO', message, source: { wrapper: 'bare', node, ...source } }
}
function change (node: string, t: number, lport: string, from: string): LportChassisChangeEvent {
  return { ...env(node, t, 'binding', `Changing chassis for lport ${lport} from ${from} to ${node}.`), kind: 'lport-chassis-change', lport, from, to: node }
}
function claim (node: string, t: number, lport: string): LportClaimEvent {
  return { ...env(node, t, 'binding', `Claiming lport ${lport} for this chassis.`), kind: 'lport-claim', lport, additional: false }
}
function release (node: string, t: number, lport: string): LportReleaseEvent {
  return { ...env(node, t, 'binding', `Releasing lport ${lport} from this chassis (sb_readonly=0)`), kind: 'lport-release', lport, additional: false, sbReadonly: false, form: 'sb-readonly' }
}
function added (node: string, t: number, iface: string, ofport: number): IfaceAddedEvent {
  return { ...env(node, t, 'bridge', `bridge br-int: added interface ${iface} on port ${ofport}`), kind: 'iface-added', bridge: 'br-int', iface, ofport }
}
function busy (node: string, t: number, iface: string): PortAddFailedEvent {
  return { ...env(node, t, 'dpif', `system@ovs-system: failed to add ${iface} as port: Device or resource busy`), kind: 'port-add-failed', datapath: 'system@ovs-system', iface, error: 'Device or resource busy' }
}
function bfdDown (node: string, t: number, iface: string): BfdStateChangeEvent {
  return { ...env(node, t, 'bfd', `${iface}: BFD state change: up->down`), kind: 'bfd-state-change', iface, oldState: 'up', newState: 'down', oldDiag: 'No Diagnostic', newDiag: 'Control Detection Time Expired', wording: 'classic' }
}
function dropped (node: string, t: number, count: number): VlogDroppedEvent {
  return { ...env(node, t, 'bfd', `Dropped ${count} log messages in last 2 seconds (most recently, 0 seconds ago) due to excessive rate`), kind: 'vlog-dropped', count, seconds: 2, mostRecentSecondsAgo: 0 }
}

/** gw1 and gw2 take `lport` from each other every `everyMs` for `n` rounds. */
function fight (lport: string, n: number, everyMs = 500, start = T0, a = 'gw1', b = 'gw2'): OvsEvent[] {
  const out: OvsEvent[] = []
  for (let i = 0; i < n; i++) {
    out.push(change(b, start + i * everyMs, lport, a))
    out.push(change(a, start + i * everyMs + everyMs / 2, lport, b))
  }
  return out
}

function pushAll (d: ReturnType<typeof createDetector>, evs: OvsEvent[]): Signal[] {
  return evs.flatMap((e) => d.push(e))
}

t.test('options: defaults, validation, regime from version', async (t) => {
  const o = resolveDetectorOptions()
  t.equal(o.quietMs, DEFAULT_DETECTOR_OPTIONS.quietMs)
  t.equal(o.regime, null)
  t.equal(resolveDetectorOptions({ ovnVersion: '23.03.1' }).regime, '500ms')
  t.equal(resolveDetectorOptions({ ovnVersion: '25.09.0', throttleRegime: 'none' }).regime, 'none', 'an explicit regime wins')
  for (const bad of [{ quietMs: 0 }, { quietMs: Number.NaN }, { stormMinHandoffs: 1 }, { throttleRegime: '1s' as never }, { ovnVersion: 'latest' }, { nope: 1 } as never, { loadMinBusySeconds: 20 }, { maxTrackedPorts: 10_000_001 }]) {
    let code: string | undefined
    try { createDetector(bad) } catch (e) { code = isStormError(e) ? e.code : 'other' }
    t.equal(code, 'E_CONFIG', JSON.stringify(bad))
  }
  t.ok(Object.isFrozen(DEFAULT_DETECTOR_OPTIONS))
})

t.test('claim-storm lifecycle: one firing, rate-limited updates, one resolved after quietMs', async (t) => {
  const d = createDetector({ updateIntervalMs: 5000, quietMs: 10000 })
  const out = pushAll(d, fight(GW, 40))
  const firing = out.filter((s) => s.status === 'firing')
  t.equal(firing.length, 1)
  const s = firing[0]
  if (s?.kind !== 'claim-storm') { t.fail('claim-storm'); return }
  t.equal(s.key, `claim-storm:${GW}`)
  t.equal(s.portClass, 'gateway')
  t.equal(s.severity, 'critical')
  t.ok(s.handoffs >= DEFAULT_DETECTOR_OPTIONS.stormMinHandoffs)
  t.ok(s.lastMs - s.startMs >= DEFAULT_DETECTOR_OPTIONS.stormMinSpanMs, 'contention must span stormMinSpanMs')
  const updates = out.filter((x) => x.status === 'update')
  t.ok(updates.length >= 2 && updates.length <= 4, `updates every 5 s over a 20 s storm (${updates.length})`)
  for (let i = 1; i < updates.length; i++) t.ok((updates[i]?.lastMs ?? 0) - (updates[i - 1]?.lastMs ?? 0) >= 5000 - 500)
  t.same(d.tick(T0 + 25000), [], 'not quiet yet')
  const end = d.tick(T0 + 40000)
  t.equal(end.length, 1)
  const r = end[0]
  if (r?.kind !== 'claim-storm') { t.fail('resolved storm'); return }
  t.equal(r.status, 'resolved')
  t.equal(r.resolvedBy, 'quiet')
  t.equal(r.claimActs, 80)
  t.equal(r.handoffs, 80)
  t.same(r.handoffPairs, { 'gw1->gw2': 40, 'gw2->gw1': 40 })
  t.same(r.participants.map((p) => [p.node, p.claims, p.chassis]), [['gw1', 40, 'gw1'], ['gw2', 40, 'gw2']])
  t.equal(r.undetermined, true, 'a symmetric fight singles out nobody')
  t.same(d.flush(), [], 'nothing left open')
  // The same key fires again only after it resolved.
  const again = pushAll(d, fight(GW, 20, 500, T0 + 60000))
  t.equal(again.filter((x) => x.status === 'firing').length, 1, 'a new storm later is a new alert')
})

t.test('claim-storm thresholds: a failback tug of 1–2 s is not a storm', async (t) => {
  const d = createDetector()
  const out = pushAll(d, [change('gw1', T0, GW, 'gw2'), change('gw2', T0 + 3, GW, 'gw1'), change('gw1', T0 + 501, GW, 'gw2'), claim('gw1', T0 + 514, GW), change('gw2', T0 + 1200, GW, 'gw1'), change('gw1', T0 + 1700, GW, 'gw2')])
  t.same(out, [])
  t.same([...d.tick(T0 + 60000), ...d.flush()], [])
  const snap = d.snapshot()
  t.equal(snap.ports[0]?.handoffs, 5)
  t.same(snap.ports[0]?.claimants, ['gw1', 'gw2'])
})

t.test('suspects: the node in every fight, BFD evidence, ownership', async (t) => {
  const d = createDetector()
  const ports = [GW, `${GW.slice(0, -1)}6`, `${GW.slice(0, -1)}7`]
  const evs: OvsEvent[] = [bfdDown('gw3', T0 - 3000, 'ovn-gw1-0'), bfdDown('gw3', T0 - 3000, 'ovn-gw2-0'), bfdDown('gw1', T0 - 2900, 'ovn-gw3-0')]
  for (const [i, p] of ports.entries()) evs.push(...fight(p, 20, 500, T0 + i * 37, i === 1 ? 'gw2' : 'gw1', 'gw3'))
  evs.sort((a, b) => (a.timeMs ?? 0) - (b.timeMs ?? 0))
  pushAll(d, evs)
  const end = d.flush().filter((s) => s.kind === 'claim-storm')
  t.equal(end.length, 3)
  for (const s of end) {
    if (s.kind !== 'claim-storm') continue
    t.equal(s.resolvedBy, 'shutdown')
    t.equal(s.suspects[0]?.node, 'gw3', `${s.lport}: gw3 first`)
    // gw2 fights one port of three, gw1 two: only gw2's port leaves no doubt.
    if (s.lport === ports[1]) t.equal(s.undetermined, false)
    const why = s.suspects[0]?.reasons.join(' | ') ?? ''
    t.match(why, /every hand-off/)
    t.match(why, /claims every stormed port \(3\/3\)/)
    t.match(why, /BFD went down/)
    t.match(why, /throttle cadence/)
  }
  // VIF: the chassis that are not the port's owner are the suspects.
  const v = createDetector()
  pushAll(v, [claim('hv1', T0 - 60000, VIF), ...fight(VIF, 20, 500, T0, 'hv1', 'hv2')])
  const vs = v.flush().find((s) => s.kind === 'claim-storm')
  if (vs?.kind !== 'claim-storm') { t.fail('vif storm'); return }
  t.equal(vs.portClass, 'vif')
  t.equal(vs.severity, 'warning')
  t.equal(vs.suspects[0]?.node, 'hv2')
  t.match(vs.suspects[0]?.reasons.join(' '), /bound to hv1 before the storm/)
})

t.test('port-flap: one chassis claiming and releasing, climbing ofports correlated', async (t) => {
  const d = createDetector()
  const evs: OvsEvent[] = []
  for (let i = 0; i < 8; i++) {
    const at = T0 + i * 600
    evs.push(added('hv2', at, `tap${VIF.slice(0, 11)}`, 9 + i), claim('hv2', at + 1, VIF), release('hv2', at + 400, VIF))
  }
  const out = pushAll(d, evs)
  const flap = out.find((s) => s.kind === 'port-flap')
  if (flap?.kind !== 'port-flap') { t.fail('port-flap'); return }
  t.equal(flap.key, `port-flap:${VIF}@hv2`)
  t.equal(flap.node, 'hv2')
  t.equal(flap.claims, DEFAULT_DETECTOR_OPTIONS.flapMinCycles)
  t.same(out.filter((s) => s.kind === 'claim-storm'), [], 'not a storm')
  const end = d.flush().find((s) => s.kind === 'port-flap')
  if (end?.kind !== 'port-flap') { t.fail('resolved flap'); return }
  t.equal(end.claims, 8)
  t.equal(end.releases, 8)
  t.same(end.ofports, [9, 10, 11, 12, 13, 14, 15, 16])
  t.ok(end.cyclesPerSec > 1 && end.cyclesPerSec < 2)
  // A second claimant makes it a fight, not a flap.
  const d2 = createDetector()
  pushAll(d2, [...evs.slice(0, 6), change('hv3', T0 + 1300, VIF, 'hv2'), ...evs.slice(6)])
  t.same(d2.flush().filter((s) => s.kind === 'port-flap'), [])
})

t.test('ofport-exhausted: critical at the first 65535 line, any trigger', async (t) => {
  const cases: Array<[OvsEvent, string]> = [
    [added('gw1', T0, 'ovn-aded97-0', 65535), 'ofport-65535'],
    [{ ...env('gw1', T0, 'ofproto', 'br-int: cannot configure bfd on nonexistent port 65535'), kind: 'ofproto-nonexistent-port', bridge: 'br-int', feature: 'bfd', ofport: 65535 }, 'nonexistent-port-65535'],
    [{ ...env('gw1', T0, 'ofproto', 'br-int: failed to allocated ofp port number for ovn-aded97-0.'), kind: 'ofport-alloc-failed', bridge: 'br-int', iface: 'ovn-aded97-0' }, 'alloc-failed']
  ]
  for (const [ev, trigger] of cases) {
    const d = createDetector()
    const out = d.push(ev)
    t.equal(out.length, 1, trigger)
    const s = out[0]
    if (s?.kind !== 'ofport-exhausted') { t.fail('exhausted'); continue }
    t.equal(s.status, 'firing')
    t.equal(s.severity, 'critical')
    t.equal(s.trigger, trigger)
    t.equal(s.key, 'ofport-exhausted:gw1/br-int')
  }
  const d = createDetector()
  t.same(d.push({ ...env('gw1', T0, 'ofproto', 'br-int: cannot configure bfd on nonexistent port 12'), kind: 'ofproto-nonexistent-port', bridge: 'br-int', feature: 'bfd', ofport: 12 }), [], 'another number is not exhaustion')
})

t.test('ofport-leak: climbing re-adds or busy loops, growth and time to exhaustion', async (t) => {
  const d = createDetector()
  const evs: OvsEvent[] = []
  for (let i = 0; i < 12; i++) evs.push(added('gw1', T0 + i * 1000, 'ovn-9a41c7-0', 30000 + i * 50))
  const out = pushAll(d, evs)
  const leak = out.find((s) => s.kind === 'ofport-leak')
  if (leak?.kind !== 'ofport-leak') { t.fail('leak'); return }
  t.equal(leak.severity, 'warning')
  t.equal(leak.readds, DEFAULT_DETECTOR_OPTIONS.leakMinReadds)
  t.equal(leak.firstOfport, 30000)
  t.equal(leak.growthPerMin, 3000, '50 numbers a second')
  t.ok(leak.estimatedExhaustionMs !== null && leak.estimatedExhaustionMs > leak.lastMs, 'faster than an hour of reuse absorbs')
  const slow = createDetector()
  const s2 = pushAll(slow, Array.from({ length: 12 }, (_, i) => added('hv2', T0 + i * 1000, 'tapabc', 9 + i))).find((s) => s.kind === 'ofport-leak')
  t.equal(s2?.kind === 'ofport-leak' ? s2.estimatedExhaustionMs : 'missing', null, 'one number a second is recycled after an hour: no exhaustion')
  const b = createDetector()
  const s3 = pushAll(b, Array.from({ length: 5 }, (_, i) => busy('gw1', T0 + i * 5000, 'ovn-9a41c7-0'))).find((s) => s.kind === 'ofport-leak')
  t.equal(s3?.kind === 'ofport-leak' ? s3.busyErrors : -1, 5, 'a busy loop alone is a leak')
})

t.test('bfd-mass-down: logged downs plus what the shared limiter hid', async (t) => {
  const d = createDetector()
  t.same(pushAll(d, [bfdDown('gw3', T0, 'ovn-gw1-0'), bfdDown('gw3', T0 + 100, 'ovn-gw2-0')]), [], 'two sessions are not many')
  const out = d.push(dropped('gw3', T0 + 2000, 12))
  const s = out[0]
  if (s?.kind !== 'bfd-mass-down') { t.fail('mass down'); return }
  t.equal(s.node, 'gw3')
  t.equal(s.downLogged, 2)
  t.ok(s.hiddenEstimate > 0)
  t.equal(s.estimated, true)
  t.same(s.ifaces, ['ovn-gw1-0', 'ovn-gw2-0'])
  const d2 = createDetector()
  const three = pushAll(d2, ['a', 'b', 'c'].map((x, i) => bfdDown('hv1', T0 + i * 10, `ovn-${x}-0`))).find((x) => x.kind === 'bfd-mass-down')
  t.equal(three?.kind === 'bfd-mass-down' ? three.estimated : 'missing', false, 'all logged: not an estimate')
  const d3 = createDetector()
  t.same(pushAll(d3, [{ ...bfdDown('gw1', T0, 'ovn-x-0'), oldState: 'admin_down' }, { ...bfdDown('gw1', T0, 'ovn-y-0'), oldState: 'admin_down' }, { ...bfdDown('gw1', T0, 'ovn-z-0'), oldState: 'admin_down' }]), [], 'admin_down->down is configuration')
})

t.test('claim-load: re-claimed ports across the Southbound, not a one-off mass move', async (t) => {
  const d = createDetector()
  const ports = [1, 2, 3, 4].map((i) => `${GW.slice(0, -1)}${i}`)
  const evs = ports.flatMap((p, i) => fight(p, 30, 500, T0 + i * 50)).sort((a, b) => (a.timeMs ?? 0) - (b.timeMs ?? 0))
  const out = pushAll(d, evs)
  const load = out.filter((s) => s.kind === 'claim-load')
  t.equal(load.filter((s) => s.status === 'firing').length, 1)
  const l = load.at(-1)
  if (l?.kind !== 'claim-load') { t.fail('load'); return }
  t.same(l.ports, [...ports].sort())
  t.same(l.nodes, ['gw1', 'gw2'])
  t.ok(l.claimsPerSec >= 14 && l.claimsPerSec <= 18, `4 ports × 2 chassis × 2/s ≈ 16 claims/s (${l.claimsPerSec})`)
  const mass = createDetector()
  const once = Array.from({ length: 200 }, (_, i) => change('gw2', T0 + i * 5, `cr-lrp-${i}`, 'gw1'))
  t.same([...pushAll(mass, once), ...mass.tick(T0 + 60000)], [], '200 ports moving once in a second')
})

t.test('event time: wrapper time, untimed, late, duplicates, out of order', async (t) => {
  const d = createDetector({ allowedLatenessMs: 2000 })
  const syslog: LportClaimEvent = { ...claim('gw1', null as unknown as number, GW), time: null, timeMs: null, source: { wrapper: 'syslog-rfc3164', node: 'gw1', wrapperTimeMs: T0 } }
  t.same(d.push(syslog), [])
  t.equal(d.snapshot().watermarkMs, T0, 'a syslog body takes the wrapper time')
  const untimed = createDetector()
  untimed.push({ ...syslog, source: { wrapper: 'syslog-rfc3164', node: 'gw1' } })
  t.equal(untimed.stats.untimed, 1, 'no time at all before any timed event: counted')
  d.push(change('gw2', T0 + 10000, GW, 'gw1'))
  d.push(change('gw2', T0 + 5000, GW, 'gw1'))
  t.equal(d.stats.late, 1, 'beyond the allowance: counted, dropped')
  const e = change('gw1', T0 + 9000, GW, 'gw2')
  d.push(e)
  d.push({ ...e })
  t.equal(d.stats.duplicates, 1, 'same node, serial, time and text: once')
  t.equal(d.snapshot().ports[0]?.claimActs, 3, 'late-but-allowed line placed in order')
  t.equal(d.stats.unparsed, 0)
  d.push({ kind: 'unparsed', code: 'not-vlog', text: 'x', bytes: 1, source: { wrapper: 'bare' } })
  t.equal(d.stats.unparsed, 1, 'unparsed ignored, counted')
})

t.test('bounded state: a flood of distinct ports evicts the oldest', async (t) => {
  const d = createDetector({ maxTrackedPorts: 100 })
  for (let i = 0; i < 5000; i++) d.push(claim('gw1', T0 + i, `port-${i}`))
  const snap = d.snapshot()
  t.equal(snap.trackedPorts, 100)
  t.equal(snap.stats.evictions.ports, 4900)
  t.equal(snap.ports[0]?.lport, 'port-4999', 'most recent first')
  t.ok(snap.ports.length <= 100)
  // A port that keeps being claimed survives the flood (second chance), its history intact.
  const h = createDetector({ maxTrackedPorts: 50 })
  for (let i = 0; i < 2000; i++) {
    h.push(claim('gw1', T0 + i * 2, `flood-${i}`))
    if (i % 10 === 0) h.push(change(i % 20 === 0 ? 'gw2' : 'gw1', T0 + i * 2 + 1, GW, i % 20 === 0 ? 'gw1' : 'gw2'))
  }
  const hot = h.snapshot().ports.find((p) => p.lport === GW)
  t.ok(hot !== undefined, 'the hot port is still tracked')
  t.ok((hot?.claimActs ?? 0) > 1, 'with its claim history')
})

t.test('snapshot and stats', async (t) => {
  const d = createDetector()
  pushAll(d, fight(GW, 10))
  const snap = d.snapshot()
  t.equal(snap.open.length, 1)
  t.equal(snap.open[0]?.kind, 'claim-storm')
  t.same(snap.chassis, { gw1: 'gw1', gw2: 'gw2' })
  t.equal(snap.throttle.regime, '500ms')
  t.equal(snap.throttle.inferred, true)
  t.equal(snap.ports[0]?.storming, true)
  t.equal(snap.stats.signals.byKind['claim-storm'], 1)
  t.equal(snap.stats.signals.byStatus.firing, 1)
  t.equal(snap.stats.used, 20)
  t.same(d.tick(Number.NaN), [], 'a bad tick is ignored')
})

t.test('the owner before a storm is the last node that held the port, not one that had it for a moment', async (t) => {
  const ownerReason = (sig: Signal | undefined): string | undefined => sig?.kind === 'claim-storm'
    ? sig.suspects.find((s) => s.reasons.some((r) => r.startsWith('held the port before the storm')))?.node
    : undefined
  // As in a real lab run (scenario 6): the port's history starts with gw1 releasing it (gw1 held it since before
  // the logs), gw3 picks it up for `blipMs` and lets go, then gw1, gw2 and gw3 fight while gw1 keeps dropping it.
  function run (blipMs: number | null): Signal | undefined {
    const d = createDetector()
    const evs: OvsEvent[] = []
    let at = T0
    evs.push(release('gw1', at, GW))
    if (blipMs !== null) { evs.push(claim('gw3', at + 300, GW)); evs.push(release('gw3', at + 300 + blipMs, GW)); at += 300 + blipMs }
    // the fight: gw1 reclaims, loses it to gw2 or gw3, releases, reclaims …
    for (let i = 0; i < 12; i++) {
      const t0 = at + 100 + i * 1500
      const other = i % 2 === 0 ? 'gw2' : 'gw3'
      evs.push(claim('gw1', t0, GW))
      evs.push(change(other, t0 + 500, GW, 'gw1'))
      evs.push(change('gw1', t0 + 1000, GW, other))
      if (i % 3 === 0) evs.push(release('gw1', t0 + 1200, GW))
    }
    const out = pushAll(d, evs).concat(d.flush())
    return out.filter((s) => s.kind === 'claim-storm').at(-1)
  }
  t.equal(ownerReason(run(200)), 'gw1', 'gw3 held it 0.2 s in between: passed over')
  t.equal(ownerReason(run(null)), 'gw1', 'no one in between')
  t.equal(ownerReason(run(5000)), undefined, 'gw3 held it 5 s: gw3 was the owner, and it gave the port up only before the storm')
})

t.test('a storm is one episode: a failover and, after a pause, a short failback tug are not a storm', async (t) => {
  // gw3 takes GW at the cut (one hand-off); 11 s later, at the heal, gw3 and gw1 pull it back and forth for 1 s
  const healTug = (pauseMs: number): OvsEvent[] => {
    const evs: OvsEvent[] = [change('gw3', T0, GW, 'gw1')]
    const h = T0 + pauseMs
    evs.push(change('gw1', h, GW, 'gw3'), change('gw3', h + 20, GW, 'gw1'), change('gw1', h + 500, GW, 'gw3'),
      change('gw3', h + 520, GW, 'gw1'), change('gw1', h + 1000, GW, 'gw3'))
    return evs
  }
  const stormsOf = (evs: OvsEvent[], options = {}): Signal[] => {
    const d = createDetector(options)
    return pushAll(d, evs).concat(d.flush()).filter((s) => s.kind === 'claim-storm')
  }
  t.same(stormsOf(healTug(11_000)), [], '6 hand-offs in 12 s, but 5 of them within 1 s after an 11 s pause')
  t.equal(stormsOf(healTug(11_000), { stormMaxGapMs: 20_000 }).length > 0, true, 'one episode when the pause is allowed')
  // a link that flaps: fights of ~1.5 s with 4 s pauses in between, for 20 s
  const flapping: OvsEvent[] = []
  for (let k = 0; k < 4; k++) flapping.push(...fight(GW, 2, 500, T0 + k * 5500))
  t.equal(stormsOf(flapping).length > 0, true, '4 s pauses between the fights of a flapping link: one storm')
  // a cleaner, slower flap: the port moves away and back every 9 s, two hand-offs a time, 7.5 s apart
  const slow: OvsEvent[] = []
  for (let k = 0; k < 5; k++) slow.push(change('gw2', T0 + k * 9000, GW, 'gw1'), change('gw1', T0 + k * 9000 + 1500, GW, 'gw2'))
  const slowStorms = stormsOf(slow)
  t.equal(slowStorms.length > 0, true, 'moved away and back three times within the window: a storm')
  t.equal(slowStorms[0]?.startMs, T0, 'from the first move')
  t.same(stormsOf(slow.slice(0, 4)), [], 'twice is a failover and a failback, twice')
})

t.test('BFD evidence of a storm: downs at either end of each node, the first four distinct sessions cited', async (t) => {
  const d = createDetector()
  const evs: OvsEvent[] = [
    bfdDown('gw1', T0 - 40_000, 'ovn-gw2-0'), // before the look-back: not evidence
    bfdDown('gw1', T0 - 2000, 'ovn-gw2-0'), bfdDown('gw1', T0 - 1900, 'ovn-gw2-0'), // gw1 and gw2 at either end
    bfdDown('hv1', T0 - 1800, 'ovn-gw1-0'), bfdDown('hv2', T0 - 1700, 'ovn-gw1-0'), // gw1 at the far end
    bfdDown('hv3', T0 - 1600, 'ovn-gw1-0'), bfdDown('hv4', T0 - 1500, 'ovn-gw1-0'),
    bfdDown('gw2', T0 - 1400, 'ovn-hv1-0'), // gw2's own session to a hypervisor
    bfdDown('hv5', T0 - 1300, 'ovn-hv1-0') // neither end in the storm
  ]
  // learn the hypervisors' chassis, so their tunnels resolve to them (and not to a storm node)
  for (const hv of ['hv1', 'hv2', 'hv3', 'hv4', 'hv5']) evs.push(change(hv, T0 - 30_000, VIF, 'gw9'))
  // just inside the look-back (30 s before the storm), then one just outside it that arrives after it, late
  evs.push(bfdDown('gw2', T0 - 29_000, 'ovn-hv2-0'))
  evs.sort((a, b) => (a.timeMs ?? 0) - (b.timeMs ?? 0))
  evs.splice(evs.findIndex((e) => e.timeMs === T0 - 29_000) + 1, 0, bfdDown('gw2', T0 - 31_000, 'ovn-hv3-0'))
  // a down that arrives late, within the allowed lateness, still counts
  const fightEvs = fight(GW, 12, 500, T0)
  evs.push(...fightEvs.slice(0, 4), bfdDown('hv6', T0 - 3000, 'ovn-gw1-0'), ...fightEvs.slice(4))
  pushAll(d, evs)
  const s = d.flush().find((x) => x.kind === 'claim-storm')
  if (s?.kind !== 'claim-storm') { t.fail('a storm'); return }
  const bfdReason = (node: string): string | undefined => s.suspects.find((x) => x.node === node)?.reasons.find((r) => r.startsWith('BFD'))
  // gw1: 2 own downs to gw2, 5 hypervisors' downs to it; gw2: 2 downs from gw1, 2 own
  t.equal(bfdReason('gw1'), 'BFD went down 7× on sessions at either end (gw1:ovn-gw2-0, hv1:ovn-gw1-0, hv2:ovn-gw1-0, hv3:ovn-gw1-0, …)')
  t.equal(bfdReason('gw2'), 'BFD went down 4× on sessions at either end (gw2:ovn-hv2-0, gw1:ovn-gw2-0, gw2:ovn-hv1-0)')
})
