// Synthetic scenarios (test/helpers/synth.ts) for what the lab cannot make cheaply: one bad gateway under every
// throttle regime, a mass clean failover, clock skew, late and duplicated lines; each also compared with the
// Loki rule (what it does is computed, not assumed).
import t from 'tap'
import { cleanFailover, gatewayStorm, ofKind, parseLogs, runDetector, runResults } from './helpers/synth.js'
import type { ParseResult } from '../src/types.js'

const T0 = Date.parse('2026-01-01T10:00:00.000Z')
const GWS = ['gw1', 'gw2', 'gw3']

for (const regime of ['none', '500ms', '2s'] as const) {
  t.test(`3 gateways × 5 gateway ports, one bad node, throttle ${regime}`, async (t) => {
    const sc = gatewayStorm({ regime, startMs: T0, durationMs: regime === 'none' ? 8000 : 30000, gateways: GWS, ports: 5, badNode: 'gw3' })
    const { signals, baseline } = await runDetector(sc.logs)
    for (const lport of sc.lports) {
      const on = ofKind(signals, 'claim-storm').filter((s) => s.lport === lport)
      t.equal(on.filter((s) => s.status === 'firing').length, 1, `one claim-storm on ${lport}`)
      const firing = on.find((s) => s.status === 'firing')
      t.ok(firing !== undefined && firing.lastMs - sc.firstContestedMs <= 10_000, 'fires within 10 s')
      const final = on.find((s) => s.status === 'resolved')
      t.equal(final?.resolvedBy, 'quiet')
      t.equal(final?.suspects[0]?.node, 'gw3', 'the bad node first')
      t.equal(final?.undetermined, false)
      t.equal(final?.throttle.regime, regime, 'regime inferred from the re-claim intervals')
      t.equal(final?.throttle.inferred, true)
    }
    const load = ofKind(signals, 'claim-load')
    t.equal(load.filter((s) => s.status === 'firing').length, 1, 'one claim-load for the Southbound DB')
    t.same([...(load.at(-1)?.ports ?? [])].sort(), [...sc.lports].sort())
    t.same(load.at(-1)?.nodes, GWS)
    // Side by side: the Loki rule counts address lines per node; at 2 s its rate stays under 1/s on the good nodes.
    const ruleNodes = [...new Set(baseline.episodes.map((e) => e.node))].sort()
    if (regime === '2s') t.notOk(ruleNodes.includes('gw1'), `Loki rule at 2 s: only ${ruleNodes.join(',') || 'nobody'}`)
    else t.ok(ruleNodes.includes('gw3'), `Loki rule fires on ${ruleNodes.join(',')}`)
  })
}

t.test('a 2 s-throttled storm on one port: claimstorm fires, the Loki rule stays silent', async (t) => {
  const sc = gatewayStorm({ regime: '2s', startMs: T0, durationMs: 60000, gateways: GWS, ports: 1, badNode: 'gw3' })
  const { signals, baseline } = await runDetector(sc.logs)
  const storms = ofKind(signals, 'claim-storm')
  t.equal(storms.filter((s) => s.status === 'firing').length, 1)
  t.same(ofKind(signals, 'claim-load'), [], 'one port is not Southbound load')
  t.same(baseline.episodes, [], 'rate stays ≤ 1/s per node')
  t.ok(baseline.matches > 0, 'although it matched the address lines')
})

t.test('the same storm with the regime stated: no inference', async (t) => {
  const sc = gatewayStorm({ regime: '2s', startMs: T0, durationMs: 30000, gateways: GWS, ports: 1, badNode: 'gw3' })
  const { signals } = await runDetector(sc.logs, { ovnVersion: '24.03.7' })
  const s = ofKind(signals, 'claim-storm').find((x) => x.status === 'firing')
  t.same(s?.throttle.regime, '2s')
  t.equal(s?.throttle.inferred, false)
  t.ok(s !== undefined && s.lastMs - sc.firstContestedMs >= 6000, 'waits for 3 × the 2 s throttle of contention')
})

t.test('20-port clean failover in one second: no claim-storm, no claim-load page', async (t) => {
  const sc = cleanFailover({ ports: 20, from: 'gw1', to: 'gw2', startMs: T0, withinMs: 1000 })
  const { signals, baseline, detector } = await runDetector(sc.logs)
  t.same(ofKind(signals, 'claim-storm'), [])
  t.same(signals.filter((s) => s.kind === 'claim-load' && s.severity !== 'info'), [])
  t.equal(detector.snapshot().ports.length, 20, 'every port tracked')
  t.equal(baseline.matches, 20, 'the Loki rule matched every address line')
  t.comment(`Loki rule episodes: ${baseline.episodes.length}`)
  t.equal(baseline.episodes.length > 0, 20 / 60 > 1, 'and fires only if 20 lines in a minute exceed 1/s')
})

t.test('clock skew between nodes', async (t) => {
  for (const skewMs of [-1500, 1500]) {
    const sc = gatewayStorm({ regime: '500ms', startMs: T0, durationMs: 30000, gateways: GWS, ports: 5, badNode: 'gw3', skewMs: { gw3: skewMs } })
    const { signals, detector } = await runDetector(sc.logs)
    const storms = ofKind(signals, 'claim-storm')
    t.equal(storms.filter((s) => s.status === 'firing').length, 5, `skew ${skewMs} ms: five storms`)
    for (const s of storms.filter((x) => x.status === 'resolved')) t.equal(s.suspects[0]?.node, 'gw3')
    t.equal(detector.stats.late, 0, 'skew within the lateness allowance')
  }
})

function arrivalOrder (results: ParseResult[], delayMs: Record<string, number>): ParseResult[] {
  const at = (r: ParseResult): number => (r.kind === 'unparsed' ? 0 : (r.timeMs ?? 0)) + (delayMs[r.source.node ?? ''] ?? 0)
  return [...results].sort((a, b) => at(a) - at(b))
}

t.test('late lines: within the allowance they count, beyond it they are counted and dropped', async (t) => {
  const sc = gatewayStorm({ regime: '500ms', startMs: T0, durationMs: 20000, gateways: GWS, ports: 1, badNode: 'gw3' })
  const all = parseLogs(sc.logs).flat()
  const inOrder = runResults(arrivalOrder(all, {}))
  const late = runResults(arrivalOrder(all, { gw1: 3000 }))
  const storm = (r: typeof inOrder): number => ofKind(r.signals, 'claim-storm').find((s) => s.status === 'resolved')?.claimActs ?? -1
  t.equal(late.detector.stats.late, 0)
  t.equal(storm(late), storm(inOrder), 'gw1 arriving 3 s late: same claim acts')
  t.equal(ofKind(late.signals, 'claim-storm').filter((s) => s.status === 'firing').length, 1)
  const tooLate = runResults(arrivalOrder(all, { gw1: 8000 }), { allowedLatenessMs: 2000 })
  t.ok(tooLate.detector.stats.late > 0, `gw1 8 s late with a 2 s allowance: ${tooLate.detector.stats.late} late lines counted`)
  t.ok(storm(tooLate) < storm(inOrder), 'and not counted as claims')
})

t.test('duplicated lines do not double-count', async (t) => {
  const sc = gatewayStorm({ regime: '500ms', startMs: T0, durationMs: 20000, gateways: GWS, ports: 2, badNode: 'gw3' })
  const all = parseLogs(sc.logs).flat()
  const once = runResults(arrivalOrder(all, {}))
  // A shipper retry re-sends a batch: every line of gw1 twice, the copy a little later.
  const twice = runResults(arrivalOrder([...all, ...all.filter((r) => r.source.node === 'gw1')], {}))
  const acts = (r: typeof once): number[] => ofKind(r.signals, 'claim-storm').filter((s) => s.status === 'resolved').map((s) => s.claimActs).sort()
  t.ok(twice.detector.stats.duplicates > 0)
  t.same(acts(twice), acts(once))
  t.same(ofKind(twice.signals, 'claim-load').at(-1)?.claimsPerSec, ofKind(once.signals, 'claim-load').at(-1)?.claimsPerSec)
})
