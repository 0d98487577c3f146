// A hand-made ScanReport shaped like lab scenario 7 (gw3 fighting gw1/gw2 for cr-lrps), for the
// summary and report renderers; and a headless-Chromium launcher for the report tests.
import type { ClaimStormSignal, Signal } from '../../src/types.js'
import type { ClaimPoint, ScanReport } from '../../src/scan/model.js'
import { foldAlerts, verdictOf } from '../../src/scan/alerts.js'

export const T0 = Date.parse('2026-11-22T07:45:53.000Z')

export function stormSignal (lport: string, other: string, status: Signal['status'], extra: Partial<ClaimStormSignal> = {}): ClaimStormSignal {
  return {
    kind: 'claim-storm',
    key: `claim-storm:${lport}`,
    status,
    severity: 'critical',
    startMs: T0,
    lastMs: status === 'firing' ? T0 + 3000 : T0 + 21_000,
    ...(status === 'resolved' ? { resolvedBy: 'quiet' as const } : {}),
    lport,
    portClass: 'gateway',
    claimActs: 88,
    handoffs: 87,
    handoffPairs: { [`${other}->gw3`]: 44, [`gw3->${other}`]: 43 },
    claimsPerSec: 4.1,
    peakClaimsPerSec: 4.4,
    participants: [
      { node: 'gw3', claims: 44, releases: 0, claimsPerSec: 2.05 },
      { node: other, claims: 44, releases: 0, claimsPerSec: 2.05 }
    ],
    suspects: [
      { node: 'gw3', score: 3, reasons: ['in every hand-off (87/87)', 'claims every stormed port'] },
      { node: other, score: 1, reasons: ['in 87/87 hand-offs'] }
    ],
    undetermined: false,
    throttle: { regime: '500ms', minReclaimIntervalMs: 500, inferred: true },
    ...extra
  }
}

export const PORTS: Array<[string, string]> = [
  ['cr-lrp-83cee638-ce95-4eb1-b59b-1616db71fa90', 'gw1'],
  ['cr-lrp-160e6762-2f7e-4d61-a0a3-4f5c4c8e7d01', 'gw2'],
  ['cr-lrp-29acd5cc-a37a-4367-8e53-706ff986fa82', 'gw1'],
  ['cr-lrp-63af0808-7c2b-4b0e-9a0e-0f6b1b5d2c11', 'gw1'],
  ['cr-lrp-003518a7-6ba1-494f-a5b6-f3fec4644494', 'gw2']
]

/** A report with five gateway storms, BFD downs on gw3 and a few ofport numbers. */
export function sampleReport (over: Partial<ScanReport> = {}): ScanReport {
  const signals: Signal[] = []
  for (const [lport, other] of PORTS) signals.push(stormSignal(lport, other, 'firing'))
  for (const [lport, other] of PORTS) signals.push(stormSignal(lport, other, 'resolved'))
  const timelines = PORTS.map(([lport, other]) => {
    const points: ClaimPoint[] = []
    for (let i = 0; i < 42; i++) {
      points.push({ tMs: T0 + i * 500, node: 'gw3', act: 'change', from: other })
      points.push({ tMs: T0 + i * 500 + 250, node: other, act: 'change', from: 'gw3' })
    }
    return { lport, points, dropped: 0 }
  })
  const alerts = foldAlerts(signals)
  return {
    version: '0.0.0-test',
    paths: ['examples/sample'],
    files: ['gw1', 'gw2', 'gw3', 'hv1'].flatMap((n) => [
      { path: `examples/sample/${n}/ovn-controller.log`, node: n, nodeFrom: 'parent-dir' as const, recordNodes: [], bytes: 1000, lines: 100, events: 100, unparsed: 0, firstMs: T0, lastMs: T0 + 21_000, status: 'ok' as const },
      { path: `examples/sample/${n}/ovs-vswitchd.log`, node: n, nodeFrom: 'parent-dir' as const, recordNodes: [], bytes: 500, lines: 50, events: 49, unparsed: 1, firstMs: T0, lastMs: T0 + 21_000, status: 'ok' as const }
    ]),
    issues: [],
    signals,
    droppedSignals: 0,
    alerts,
    timelines,
    bfd: [
      { tMs: T0 - 500, node: 'gw3', iface: 'ovn-gw1-0', from: 'up', to: 'down' },
      { tMs: T0 - 500, node: 'gw3', iface: 'ovn-gw2-0', from: 'up', to: 'down' },
      { tMs: T0 + 21_500, node: 'gw3', iface: 'ovn-gw1-0', from: 'down', to: 'up' }
    ],
    ofports: [
      { tMs: T0 - 10_000, node: 'gw1', bridge: 'br-int', iface: 'ovn-gw3-0', ofport: 3 },
      { tMs: T0 - 9_000, node: 'gw3', bridge: 'br-int', iface: 'ovn-gw1-0', ofport: 4 },
      { tMs: T0 + 5_000, node: 'gw3', bridge: 'br-int', iface: 'ovn-gw1-0', ofport: 9 }
    ],
    droppedPoints: 0,
    totals: { files: 8, bytes: 6000, lines: 600, events: 596, unparsed: 4, outsideWindow: 0, elapsedMs: 12 },
    firstMs: T0 - 10_000,
    lastMs: T0 + 30_000,
    nodes: ['gw1', 'gw2', 'gw3', 'hv1'],
    verdict: verdictOf(alerts),
    ...over
  }
}

export const CHROMIUM = process.env['CLAIMSTORM_CHROMIUM'] ?? '/usr/bin/chromium'
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
