// The terminal summary, the verdict line, the signal folding, the progress line and the bounded
// evidence collector, on hand-made data.
import t from 'tap'
import { createAlertFolder, foldAlerts, verdictOf } from '../src/scan/alerts.js'
import { renderSummary } from '../src/scan/summary.js'
import { createProgressReporter, formatProgress } from '../src/scan/progress.js'
import { createCollector } from '../src/scan/collect.js'
import { bytes, count, duration, rate, shorten } from '../src/scan/format.js'
import { PORTS, T0, sampleReport, stormSignal } from './helpers/scan-report.js'
import type { LportChassisChangeEvent, PortFlapSignal, BfdMassDownSignal, Signal } from '../src/types.js'

t.test('formatters', async (t) => {
  t.equal(duration(850), '850ms')
  t.equal(duration(21_040), '21.0s')
  t.equal(duration(192_000), '3m12s')
  t.equal(duration(3_720_000), '1h02m')
  t.equal(duration(-1), '-')
  t.equal(bytes(999), '999 B')
  t.equal(bytes(137_000), '137 KB')
  t.equal(bytes(1_073_741_824), '1.1 GB')
  t.equal(count(1234567), '1,234,567')
  t.equal(rate(4.04), '4.0')
  t.equal(rate(0.534), '0.53')
  t.equal(shorten('cr-lrp-83cee638-ce95-4eb1-b59b-1616db71fa90', 20).length, 20)
})

t.test('folding: one row per key, peak kept, re-firing after resolve is a new row', async (t) => {
  const [lport] = PORTS[0] ?? ['x', 'gw1']
  const s1 = stormSignal(lport, 'gw1', 'firing', { peakClaimsPerSec: 3 })
  const s2 = stormSignal(lport, 'gw1', 'update', { peakClaimsPerSec: 5, lastMs: T0 + 10_000 })
  const s3 = stormSignal(lport, 'gw1', 'resolved', { peakClaimsPerSec: 4 })
  const s4 = stormSignal(lport, 'gw1', 'firing', { startMs: T0 + 600_000, lastMs: T0 + 603_000 })
  const rows = foldAlerts([s1, s2, s3, s4])
  t.equal(rows.length, 2)
  t.equal(rows[0]?.peakRate, 5)
  t.equal(rows[0]?.resolved, true)
  t.equal(rows[0]?.endMs, T0 + 21_000)
  t.equal(rows[1]?.resolved, false)
  const shutdown = foldAlerts([s1, { ...s3, resolvedBy: 'shutdown' }])
  t.equal(shutdown[0]?.resolved, false, 'still open when the input ended')
  const f = createAlertFolder()
  for (const s of [s1, s2]) f.push(s)
  t.equal(f.rows().length, 1)
})

t.test('the verdict', async (t) => {
  const r = sampleReport()
  t.equal(r.verdict.text, 'CRITICAL: 5 gateway ports storming; drain gw3 first (in every hand-off of all 5 storms)')
  t.equal(r.verdict.culprit, 'gw3')
  t.same(verdictOf([]), { level: 'ok', text: 'OK: no claim storm, ofport exhaustion or mass BFD down found' })

  const split = foldAlerts([stormSignal(PORTS[0]?.[0] ?? '', 'gw1', 'firing', { undetermined: true })])
  t.match(verdictOf(split).text, /^CRITICAL: 1 gateway port storming; the evidence does not single out one node \(gw3 leads\)$/)
  t.equal(verdictOf(split).culprit, undefined)

  const mixed = foldAlerts([
    stormSignal('a', 'gw1', 'firing'),
    stormSignal('b', 'gw1', 'firing', { suspects: [{ node: 'gw1', score: 2, reasons: ['in every hand-off (9/9)'] }] }),
    stormSignal('c', 'gw1', 'firing')
  ])
  t.equal(verdictOf(mixed).text, 'CRITICAL: 3 gateway ports storming; drain gw3 first (first suspect on 2 of 3 storms; in every hand-off)')

  const vif = foldAlerts([stormSignal('36116ceb-172b-452a-8919-f19c093f9e21', 'hv1', 'firing', { portClass: 'vif', severity: 'warning' })])
  t.match(verdictOf(vif).text, /^WARNING: 1 VIF port storming; look at gw3 first/)

  // an undetermined VIF storm between hypervisors and a BFD alert on a gateway: the gateway is not the answer
  const hvStorm = stormSignal('36116ceb-172b-452a-8919-f19c093f9e21', 'hv1', 'firing', {
    portClass: 'vif', severity: 'warning', undetermined: true,
    participants: [{ node: 'hv1', claims: 9, releases: 0, claimsPerSec: 1 }, { node: 'hv2', claims: 9, releases: 0, claimsPerSec: 1 }],
    suspects: [{ node: 'hv2', score: 1, reasons: ['claims a port bound to hv1 before the storm'] }, { node: 'hv3', score: 1, reasons: ['claims a port bound to hv1 before the storm'] }]
  })
  const gwBfd: BfdMassDownSignal = { kind: 'bfd-mass-down', key: 'bfd-mass-down:gw1', status: 'firing', severity: 'warning', startMs: T0, lastMs: T0, node: 'gw1', downLogged: 1, hiddenEstimate: 2, ifaces: ['ovn-hv1-0'], estimated: true }
  const hvVerdict = verdictOf(foldAlerts([hvStorm, gwBfd]))
  t.equal(hvVerdict.text, 'WARNING: 1 VIF port storming; mass BFD down on gw1; the evidence does not single out one node (hv2 leads)')
  t.equal(hvVerdict.culprit, undefined)
  // lab run2, scenario 3: the VM's own hypervisor hv1 lost a BFD session during a duplicate-iface-id storm; BFD
  // does not decide who holds a VIF port, so it names no culprit there
  const onHv1 = verdictOf(foldAlerts([hvStorm, { ...gwBfd, key: 'bfd-mass-down:hv1', node: 'hv1' }]))
  t.equal(onHv1.culprit, undefined, 'a BFD alert beside a VIF storm names no one')
  t.equal(onHv1.text, 'WARNING: 1 VIF port storming; mass BFD down on hv1; the evidence does not single out one node (hv2 leads)')
  // beside an undetermined gateway-port storm it does, when its node takes part
  const gwStorm = stormSignal('cr-lrp-83cee638-ce95-4eb1-b59b-1616db71fa90', 'gw2', 'firing', {
    portClass: 'gateway', severity: 'warning', undetermined: true,
    participants: [{ node: 'gw1', claims: 9, releases: 0, claimsPerSec: 1 }, { node: 'gw2', claims: 9, releases: 0, claimsPerSec: 1 }],
    suspects: [{ node: 'gw1', score: 1, reasons: ['in every hand-off (9/9)'] }, { node: 'gw2', score: 1, reasons: ['in every hand-off (9/9)'] }]
  })
  const onGw1 = verdictOf(foldAlerts([gwStorm, gwBfd]))
  t.equal(onGw1.culprit, 'gw1', 'a BFD alert on a node of a gateway storm still names it')
  t.equal(verdictOf(foldAlerts([gwStorm, { ...gwBfd, key: 'bfd-mass-down:gw3', node: 'gw3' }])).culprit, undefined, 'not when its node is not in the storm')

  const flap: PortFlapSignal = { kind: 'port-flap', key: 'port-flap:x', status: 'firing', severity: 'warning', startMs: T0, lastMs: T0 + 9000, lport: 'x', node: 'hv2', claims: 9, releases: 9, cyclesPerSec: 0.8 }
  const bfd: BfdMassDownSignal = { kind: 'bfd-mass-down', key: 'bfd:gw1', status: 'firing', severity: 'warning', startMs: T0, lastMs: T0, node: 'gw1', downLogged: 3, hiddenEstimate: 20, ifaces: ['a', 'b', 'c'], estimated: true }
  const v = verdictOf(foldAlerts([flap, bfd]))
  t.equal(v.text, 'WARNING: port flapping on hv2; mass BFD down on gw1')
  t.equal(v.culprit, undefined, 'two nodes, no single culprit')
  t.equal(verdictOf(foldAlerts([flap])).culprit, 'hv2')
})

t.test('the summary', async (t) => {
  const r = sampleReport({ issues: [{ code: 'missing', path: '/x', explicit: true, message: '/x: no such file or directory' }] })
  const out = renderSummary(r)
  const lines = out.split('\n')
  t.match(lines[0], /^claimstorm scan: 8 files \(6.0 KB\) from 4 nodes, 600 lines \(596 events, 4 unparsed\), 2026-11-22 07:45:43Z – 07:46:23Z$/)
  t.match(out, /gw3\s+examples\/sample\/gw3\/ovn-controller\.log\s+\(parent-dir\)\s+100 lines/)
  t.match(out, /SEVERITY\s+KIND\s+SUBJECT\s+NODES\s+SUSPECTS\s+START \(UTC\)\s+DURATION\s+PEAK/)
  t.equal(lines.filter((l) => /^ {2}CRITICAL {2}claim-storm/.test(l)).length, 5)
  t.match(out, /cr-lrp-83cee638-ce95-4eb1-b59b-1616db71fa90\s+gw3,gw1\s+gw3 > gw1\s+07:45:53\s+21\.0s\s+4\.4 claims\/s/)
  t.match(out, /! \/x: no such file or directory/)
  t.equal(lines.at(-1), 'CRITICAL: 5 gateway ports storming; drain gw3 first (in every hand-off of all 5 storms)')
  t.notMatch(out, /\u001b/)
  t.match(renderSummary(r, { color: true }), /\u001b\[1m\u001b\[31mCRITICAL: 5 gateway/)
  // hostile names cannot move the cursor
  const evil = foldAlerts([stormSignal('cr-lrp-\u001b[2J\u001b[Hx', 'gw1', 'firing')])
  t.notMatch(renderSummary(sampleReport({ alerts: evil, verdict: verdictOf(evil) })), /\u001b\[2J/)
  // many files are grouped per node
  const many = sampleReport({ files: Array.from({ length: 30 }, (_, i) => ({ path: `/l/gw${i % 3}/x.log.${i}`, node: `gw${i % 3}`, nodeFrom: 'parent-dir' as const, recordNodes: [], bytes: 1, lines: 10, events: 10, unparsed: 0, firstMs: T0, lastMs: T0, status: 'ok' as const })) })
  t.match(renderSummary(many), /gw0\s+10 files, e\.g\. \/l\/gw0\/x\.log\.0\s+\(parent-dir\)\s+100 lines/)
  const none = renderSummary(sampleReport({ alerts: [], verdict: verdictOf([]) }))
  t.match(none, /Alerts: none/)
})

t.test('the baseline block of the summary', async (t) => {
  const r = sampleReport({
    baseline: {
      rule: 'rate({app="ovs"} |= "binding|INFO|cr-lrp" [1m]) > 1',
      firings: [{ node: 'gw3', startMs: T0 + 7000, endMs: T0 + 67_000, peakPerSec: 3.6 }],
      silentNodes: ['gw1', 'gw2', 'hv1'],
      differences: ['on 5 storms the rule fired on gw3 alone']
    }
  })
  const out = renderSummary(r)
  t.match(out, /would have fired on gw3 07:46:00–07:47:00Z \(peak 3\.6 lines\/s\)/)
  t.match(out, /silent on gw1, gw2, hv1/)
  t.match(out, /≠ on 5 storms the rule fired on gw3 alone/)
  t.match(out, /claimstorm: CRITICAL/)
})

t.test('progress line', async (t) => {
  t.equal(formatProgress({ bytesRead: 412_000_000, bytesTotal: 1_000_000_000, lines: 2_000_000, elapsedMs: 4000 }),
    'scan: 412 MB of 1.0 GB (41%) · 500,000 lines/s · 4.0s')
  let now = 0
  const out: string[] = []
  const p = createProgressReporter(1000, { write: (s) => out.push(s), nowMs: () => now, intervalMs: 100 })
  p.update(10, 1)
  now = 50
  p.update(20, 2) // too soon: not drawn
  now = 150
  p.update(500, 50)
  p.done()
  t.equal(out.length, 3)
  t.match(out[0], /^\rscan: 10 B of 1.0 KB \(1%\)/)
  t.match(out[1], /^\rscan: 500 B of 1.0 KB \(50%\) · 333 lines\/s · 150ms\u001b\[K$/)
  t.equal(out[2], '\r\u001b[K')
})

function change (lport: string, node: string, tMs: number): LportChassisChangeEvent {
  return {
    kind: 'lport-chassis-change', lport, from: 'gwX', to: node, time: new Date(tMs).toISOString(), timeMs: tMs, seq: 1, module: 'binding',
    level: 'INFO', message: `Changing chassis for lport ${lport} from gwX to ${node}.`, source: { wrapper: 'bare', node }
  }
}

t.test('collector: short ring per port until a signal names it, then everything (bounded)', async (t) => {
  const c = createCollector({ ringPerPort: 4, maxPorts: 3, maxPointsPerAlertedPort: 10, maxPoints: 2 })
  for (let i = 0; i < 10; i++) c.push(change('p1', 'gw1', T0 + i))
  c.signals([stormSignal('p1', 'gw1', 'firing') as Signal])
  for (let i = 10; i < 30; i++) c.push(change('p1', 'gw3', T0 + i))
  const tl = c.timelines()
  t.equal(tl.length, 1)
  t.equal(tl[0]?.points.length, 10, 'bounded per alerted port')
  t.equal(tl[0]?.points[0]?.tMs, T0 + 6, 'the ring kept the claims before the alert')
  t.equal(tl[0]?.dropped, 6 + 14)
  // unalerted ports are evicted oldest first; the alerted one stays
  for (const p of ['a', 'b', 'c', 'd']) c.push(change(p, 'gw2', T0))
  c.signals([stormSignal('d', 'gw1', 'firing') as Signal])
  t.same(c.timelines().map((x) => x.lport).sort(), ['d', 'p1'])
  for (let i = 0; i < 3; i++) {
    c.push({ kind: 'bfd-state-change', iface: 'ovn-gw1-0', oldState: 'up', newState: 'down', oldDiag: '', newDiag: '', wording: 'classic', time: null, timeMs: T0, seq: 1, module: 'bfd', level: 'INFO', message: '', source: { wrapper: 'bare', node: 'gw3' } })
  }
  t.equal(c.bfd().length, 2)
  t.equal(c.dropped(), 1)
  c.push({ kind: 'unparsed', code: 'not-vlog', text: 'x', bytes: 1, source: { wrapper: 'bare' } })
  t.equal(c.bfd().length, 2)
})

t.test('collector: BFD and ofport series past their bound are thinned evenly, not cut off', async (t) => {
  const c = createCollector({ maxPoints: 4 })
  for (let i = 0; i < 20; i++) {
    c.push({ kind: 'bfd-state-change', iface: 'ovn-gw1-0', oldState: 'up', newState: 'down', oldDiag: '', newDiag: '', wording: 'classic', time: null, timeMs: T0 + i, seq: i, module: 'bfd', level: 'INFO', message: '', source: { wrapper: 'bare', node: 'gw3' } })
  }
  // 4, then every 2nd, then every 4th, then every 8th: points 0, 8, 16 of 20
  t.same(c.bfd().map((p) => p.tMs - T0), [0, 8, 16])
  t.equal(c.dropped(), 17)
  for (let i = 0; i < 3; i++) {
    c.push({ kind: 'iface-added', bridge: 'br-int', iface: `tap${i}`, ofport: i + 1, time: null, timeMs: T0 + i, seq: i, module: 'bridge', level: 'INFO', message: '', source: { wrapper: 'bare', node: 'hv1' } })
  }
  t.same(c.ofports().map((p) => p.ofport), [1, 2, 3], 'under the bound every point is kept')
  t.equal(c.dropped(), 17)
})
