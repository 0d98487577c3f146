// Signal → AlertRecord: one flat, ECS-shaped object per signal state change. Pure: no I/O,
// no clock (every time comes from the signal). The shape is exactly ALERT_SCHEMA's.
import type {
  BfdMassDownSignal, ClaimLoadSignal, ClaimStormSignal, OfportExhaustedSignal, OfportLeakSignal,
  PortFlapSignal, Severity, Signal, SignalKind, SignalStatus, ThrottleRegime
} from '../types.js'
import { StormError } from '../errors.js'
import { VERSION } from '../version.js'
import { alertMessage } from './message.js'

export const ECS_VERSION = '8.11.0'

export type AlertRuleCategory = 'ovn-binding' | 'ovs-ofport' | 'ovs-bfd'
/** `event.severity`: higher is worse. */
export type AlertSeverityNumber = 1 | 2 | 3

export interface AlertHandoffPair { from: string; to: string; count: number }
export interface AlertParticipant { node: string; chassis?: string; claims: number; releases: number; claims_per_sec: number }
export interface AlertSuspect { node: string; chassis?: string; score: number; reasons: string[] }
export interface AlertThrottle { regime: ThrottleRegime; min_reclaim_interval_ms?: number; inferred: boolean }

/** The detector's evidence. Which optional fields are present depends on `rule.id` (docs/alert-record.md). */
export interface AlertEvidence {
  key: string
  resolved_by?: 'quiet' | 'shutdown'
  // claim-storm, port-flap
  lport?: string
  port_class?: 'gateway' | 'vif'
  claim_acts?: number
  handoffs?: number
  handoff_pairs?: AlertHandoffPair[]
  claims_per_sec?: number
  peak_claims_per_sec?: number
  participants?: AlertParticipant[]
  suspects?: AlertSuspect[]
  undetermined?: boolean
  throttle?: AlertThrottle
  // claim-load
  lports?: string[]
  lport_count?: number
  nodes?: string[]
  node_count?: number
  // port-flap
  claims?: number
  releases?: number
  cycles_per_sec?: number
  ofports?: number[]
  // ofport-exhausted, ofport-leak
  bridge?: string
  iface?: string
  trigger?: OfportExhaustedSignal['trigger']
  lines?: number
  readds?: number
  first_ofport?: number
  last_ofport?: number
  growth_per_min?: number
  busy_errors?: number
  estimated_exhaustion?: string
  // bfd-mass-down
  down_logged?: number
  hidden_estimate?: number
  down_total?: number
  ifaces?: string[]
  iface_count?: number
  estimated?: boolean
}

/** The Loki stream labels: four keys, few values each. Never a port, MAC, IP or interface. */
export interface AlertLabels {
  rule: SignalKind
  severity: Severity
  status: SignalStatus
  /** `host.name`, or `unknown`. */
  node: string
}

export interface AlertRecord {
  '@timestamp': string
  message: string
  event: {
    kind: 'alert'
    action: SignalStatus
    dataset: 'claimstorm.alert'
    start: string
    end?: string
    /** Nanoseconds (ECS). */
    duration: number
    severity: AlertSeverityNumber
  }
  log: { level: Severity }
  rule: { id: SignalKind; name: string; category: AlertRuleCategory }
  host?: { name: string }
  observer: { product: 'claimstorm'; vendor: 'claimstorm'; version: string }
  ecs: { version: string }
  tags: string[]
  labels: AlertLabels
  ovn: AlertEvidence
}

export interface AlertRecordOptions {
  /**
   * `observer.version`.
   * @default VERSION (package.json)
   */
  observerVersion?: string
  /**
   * Longest list copied into `ovn.*` (ports, nodes, interfaces, ofports, participants, suspects, reasons,
   * hand-off pairs); the `*_count` fields keep the full number. Keeps one record small whatever the detector saw.
   * @default 100
   */
  maxListItems?: number
}

export const RULES: Readonly<Record<SignalKind, { name: string; category: AlertRuleCategory }>> = Object.freeze({
  'claim-storm': { name: 'OVN claim storm', category: 'ovn-binding' },
  'claim-load': { name: 'OVN Southbound claim load', category: 'ovn-binding' },
  'port-flap': { name: 'OVN port flap', category: 'ovn-binding' },
  'ofport-exhausted': { name: 'OpenFlow port numbers exhausted', category: 'ovs-ofport' },
  'ofport-leak': { name: 'OpenFlow port number leak', category: 'ovs-ofport' },
  'bfd-mass-down': { name: 'Mass BFD down', category: 'ovs-bfd' }
})

const SEVERITY_NUMBER: Readonly<Record<Severity, AlertSeverityNumber>> = { info: 1, warning: 2, critical: 3 }

export function toAlertRecord (signal: Signal, options: AlertRecordOptions = {}): AlertRecord {
  // Only reachable from untyped callers: the Signal union is closed.
  if (!Object.hasOwn(RULES, signal.kind)) {
    throw new StormError('E_INPUT', `toAlertRecord: unknown signal kind ${JSON.stringify(String((signal as { kind?: unknown }).kind))}`)
  }
  const max = listLimit(options.maxListItems)
  const startMs = finiteOr(signal.startMs, finiteOr(signal.lastMs, 0))
  const lastMs = Math.max(startMs, finiteOr(signal.lastMs, startMs))
  const node = faultNode(signal)
  const rule = RULES[signal.kind]

  const event: AlertRecord['event'] = {
    kind: 'alert',
    action: signal.status,
    dataset: 'claimstorm.alert',
    start: iso(startMs),
    duration: Math.round((lastMs - startMs) * 1e6),
    severity: SEVERITY_NUMBER[signal.severity]
  }
  if (signal.status === 'resolved') event.end = iso(lastMs)

  const record: AlertRecord = {
    '@timestamp': iso(lastMs),
    message: alertMessage(signal),
    event,
    log: { level: signal.status === 'resolved' ? 'info' : signal.severity },
    rule: { id: signal.kind, name: rule.name, category: rule.category },
    observer: { product: 'claimstorm', vendor: 'claimstorm', version: options.observerVersion ?? VERSION },
    ecs: { version: ECS_VERSION },
    tags: tags(signal),
    labels: { rule: signal.kind, severity: signal.severity, status: signal.status, node: node ?? 'unknown' },
    ovn: evidence(signal, max)
  }
  if (node !== undefined) record.host = { name: node }
  return record
}

/** The node to look at first: the top suspect of a determined claim storm, or the node a node-scoped signal is about. */
export function faultNode (signal: Signal): string | undefined {
  switch (signal.kind) {
    case 'claim-storm': {
      if (signal.undetermined) return undefined
      const top = sortSuspects(signal.suspects)[0]
      return top === undefined ? undefined : known(top.node)
    }
    case 'claim-load':
      return undefined
    case 'port-flap':
    case 'ofport-exhausted':
    case 'ofport-leak':
    case 'bfd-mass-down':
      return known(signal.node)
    default:
      return noNode(signal)
  }
}

function evidence (signal: Signal, max: number): AlertEvidence {
  const ev: AlertEvidence = { key: signal.key }
  if (signal.resolvedBy !== undefined) ev.resolved_by = signal.resolvedBy
  switch (signal.kind) {
    case 'claim-storm': return claimStorm(signal, ev, max)
    case 'claim-load': return claimLoad(signal, ev, max)
    case 'port-flap': return portFlap(signal, ev, max)
    case 'ofport-exhausted': return ofportExhausted(signal, ev)
    case 'ofport-leak': return ofportLeak(signal, ev)
    case 'bfd-mass-down': return bfdMassDown(signal, ev, max)
    default: return unreachable(signal)
  }
}

function claimStorm (s: ClaimStormSignal, ev: AlertEvidence, max: number): AlertEvidence {
  ev.lport = s.lport
  ev.port_class = s.portClass
  ev.claim_acts = int(s.claimActs)
  ev.handoffs = int(s.handoffs)
  ev.handoff_pairs = handoffPairs(s.handoffPairs).slice(0, max)
  ev.claims_per_sec = rate(s.claimsPerSec)
  ev.peak_claims_per_sec = rate(s.peakClaimsPerSec)
  ev.participants = [...s.participants]
    .sort((a, b) => b.claims - a.claims)
    .slice(0, max)
    .map((p) => {
      const out: AlertParticipant = { node: p.node, claims: int(p.claims), releases: int(p.releases), claims_per_sec: rate(p.claimsPerSec) }
      if (p.chassis !== undefined) out.chassis = p.chassis
      return out
    })
  ev.suspects = sortSuspects(s.suspects).slice(0, max).map((x) => {
    const out: AlertSuspect = { node: x.node, score: rate(x.score), reasons: x.reasons.slice(0, max) }
    if (x.chassis !== undefined) out.chassis = x.chassis
    return out
  })
  ev.undetermined = s.undetermined
  const throttle: AlertThrottle = { regime: s.throttle.regime, inferred: s.throttle.inferred }
  if (s.throttle.minReclaimIntervalMs !== null && Number.isFinite(s.throttle.minReclaimIntervalMs)) {
    throttle.min_reclaim_interval_ms = int(s.throttle.minReclaimIntervalMs)
  }
  ev.throttle = throttle
  return ev
}

function claimLoad (s: ClaimLoadSignal, ev: AlertEvidence, max: number): AlertEvidence {
  ev.claims_per_sec = rate(s.claimsPerSec)
  ev.peak_claims_per_sec = rate(s.peakClaimsPerSec)
  ev.lports = s.ports.slice(0, max)
  ev.lport_count = s.ports.length
  ev.nodes = s.nodes.slice(0, max)
  ev.node_count = s.nodes.length
  return ev
}

function portFlap (s: PortFlapSignal, ev: AlertEvidence, max: number): AlertEvidence {
  ev.lport = s.lport
  ev.claims = int(s.claims)
  ev.releases = int(s.releases)
  ev.cycles_per_sec = rate(s.cyclesPerSec)
  if (s.ofports !== undefined) ev.ofports = s.ofports.slice(0, max).map(int)
  return ev
}

function ofportExhausted (s: OfportExhaustedSignal, ev: AlertEvidence): AlertEvidence {
  ev.bridge = s.bridge
  if (s.iface !== undefined) ev.iface = s.iface
  ev.trigger = s.trigger
  ev.lines = int(s.lines)
  return ev
}

function ofportLeak (s: OfportLeakSignal, ev: AlertEvidence): AlertEvidence {
  ev.bridge = s.bridge
  ev.iface = s.iface
  ev.readds = int(s.readds)
  ev.first_ofport = int(s.firstOfport)
  ev.last_ofport = int(s.lastOfport)
  ev.growth_per_min = rate(s.growthPerMin)
  ev.busy_errors = int(s.busyErrors)
  if (s.estimatedExhaustionMs !== null && Number.isFinite(s.estimatedExhaustionMs)) {
    ev.estimated_exhaustion = iso(s.estimatedExhaustionMs)
  }
  return ev
}

function bfdMassDown (s: BfdMassDownSignal, ev: AlertEvidence, max: number): AlertEvidence {
  ev.down_logged = int(s.downLogged)
  ev.hidden_estimate = int(s.hiddenEstimate)
  ev.down_total = ev.down_logged + ev.hidden_estimate
  ev.ifaces = s.ifaces.slice(0, max)
  ev.iface_count = s.ifaces.length
  ev.estimated = s.estimated
  return ev
}

function tags (signal: Signal): string[] {
  const out = ['claimstorm', signal.kind]
  if (signal.kind === 'claim-storm') {
    out.push(signal.portClass)
    if (signal.undetermined) out.push('undetermined')
  }
  if (signal.kind === 'bfd-mass-down' && signal.estimated) out.push('estimated')
  if (signal.resolvedBy === 'shutdown') out.push('shutdown')
  return out
}

/** `"gw1->gw3": 43` → `{from: 'gw1', to: 'gw3', count: 43}`, most frequent first (ties by name, for stable output). */
export function handoffPairs (pairs: Readonly<Record<string, number>>): AlertHandoffPair[] {
  const out: AlertHandoffPair[] = []
  for (const [pair, count] of Object.entries(pairs)) {
    const at = pair.indexOf('->')
    out.push(at < 0 ? { from: pair, to: '', count: int(count) } : { from: pair.slice(0, at), to: pair.slice(at + 2), count: int(count) })
  }
  return out.sort((a, b) => b.count - a.count || cmp(a.from, b.from) || cmp(a.to, b.to))
}

/** Most suspicious first; stable, so the detector's order breaks ties. */
export function sortSuspects<T extends { score: number }> (suspects: readonly T[]): T[] {
  return [...suspects].sort((a, b) => finiteOr(b.score, 0) - finiteOr(a.score, 0))
}

function cmp (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function listLimit (value: number | undefined): number {
  if (value === undefined) return 100
  return Number.isFinite(value) && value >= 0 ? Math.floor(value) : 100
}

// The serializer throws on NaN and writes Infinity as null; neither may reach it, and rates are
// rounded so records stay readable and round-trip exactly.
function int (value: number): number {
  return Number.isFinite(value) ? Math.round(value) : 0
}
function rate (value: number): number {
  return Number.isFinite(value) ? Math.round(value * 1000) / 1000 : 0
}
function finiteOr (value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback
}

// Date#toISOString throws outside ±8.64e15 ms; a broken time must not take the pipeline down.
function iso (ms: number): string {
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString()
}

// The detector attributes lines without a node to `unknown`: that is no host.
function known (node: string): string | undefined {
  return node === '' || node === 'unknown' ? undefined : node
}

// A compile error here means a Signal kind was added without deciding its node at fault.
function noNode (_signal: never): undefined {
  return undefined
}

function unreachable (value: never): never {
  throw new StormError('E_INPUT', `unknown signal kind ${JSON.stringify(String((value as { kind?: unknown }).kind))}`)
}
