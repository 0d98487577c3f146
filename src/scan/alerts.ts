// Signals (firing → update… → resolved) folded into one row per key, and the one-line verdict.
import type { Severity, Signal, Suspect } from '../types.js'
import type { AlertRow, Verdict } from './model.js'

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 }

export function maxSeverity (a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b
}

function subjectOf (s: Signal): string {
  switch (s.kind) {
    case 'claim-storm': return s.lport
    case 'port-flap': return s.lport
    case 'claim-load': return `Southbound DB (${s.ports.length} port${s.ports.length === 1 ? '' : 's'})`
    case 'ofport-exhausted': return s.iface === undefined ? s.bridge : `${s.iface} on ${s.bridge}`
    case 'ofport-leak': return `${s.iface} on ${s.bridge}`
    case 'bfd-mass-down': return `${s.ifaces.length} BFD session${s.ifaces.length === 1 ? '' : 's'}`
  }
}

function nodesOf (s: Signal): string[] {
  switch (s.kind) {
    case 'claim-storm': return s.participants.map((p) => p.node)
    case 'claim-load': return [...s.nodes]
    default: return [s.node]
  }
}

function rateOf (s: Signal): { rate: number | null; unit: string } {
  switch (s.kind) {
    case 'claim-storm': return { rate: s.peakClaimsPerSec, unit: 'claims/s' }
    case 'claim-load': return { rate: s.peakClaimsPerSec, unit: 'claims/s' }
    case 'port-flap': return { rate: s.cyclesPerSec, unit: 'cycles/s' }
    case 'ofport-leak': return { rate: s.growthPerMin, unit: 'ports/min' }
    case 'ofport-exhausted': return { rate: null, unit: '' }
    case 'bfd-mass-down': return { rate: s.downLogged + s.hiddenEstimate, unit: s.estimated ? 'downs (est.)' : 'downs' }
  }
}

function suspectsOf (s: Signal): { suspects: Suspect[]; undetermined: boolean } {
  if (s.kind === 'claim-storm') return { suspects: s.suspects, undetermined: s.undetermined }
  return { suspects: [], undetermined: false }
}

export interface AlertFolder {
  push: (s: Signal) => void
  /** The rows so far, in order of first evidence. */
  rows: () => AlertRow[]
}

/** Folds signals into one row per key as they come; memory grows with distinct conditions, not with updates. */
export function createAlertFolder (): AlertFolder {
  const open = new Map<string, AlertRow>()
  const done: AlertRow[] = []
  return {
    push (s) {
      const { rate, unit } = rateOf(s)
      const { suspects, undetermined } = suspectsOf(s)
      const nodes = nodesOf(s)
      const prev = open.get(s.key)
      if (prev === undefined || prev.resolved) {
        // a key that fires again after resolving starts a new row
        if (prev !== undefined) done.push(prev)
        open.set(s.key, {
          key: s.key,
          kind: s.kind,
          severity: s.severity,
          subject: subjectOf(s),
          nodes,
          suspects,
          undetermined,
          startMs: s.startMs,
          endMs: s.lastMs,
          peakRate: rate,
          rateUnit: unit,
          resolved: s.status === 'resolved' && s.resolvedBy !== 'shutdown',
          last: s
        })
        return
      }
      prev.severity = maxSeverity(prev.severity, s.severity)
      prev.subject = subjectOf(s)
      for (const n of nodes) if (!prev.nodes.includes(n)) prev.nodes.push(n)
      if (suspects.length > 0 || s.kind === 'claim-storm') prev.suspects = suspects
      prev.undetermined = undetermined
      prev.endMs = Math.max(prev.endMs, s.lastMs)
      prev.startMs = Math.min(prev.startMs, s.startMs)
      if (rate !== null) prev.peakRate = prev.peakRate === null ? rate : Math.max(prev.peakRate, rate)
      prev.resolved = s.status === 'resolved' && s.resolvedBy !== 'shutdown'
      prev.last = s
    },
    rows: () => [...done, ...open.values()].sort((a, b) => a.startMs - b.startMs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  }
}

/** One row per signal key (a key that fires again after resolving gets a new row), in order of first evidence. */
export function foldAlerts (signals: readonly Signal[]): AlertRow[] {
  const f = createAlertFolder()
  for (const s of signals) f.push(s)
  return f.rows()
}

function plural (n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`
}

/** Shortens a detector reason for the verdict line ("present in every hand-off (88/88)" → as is, long ones cut). */
function shortReason (reason: string): string {
  const r = reason.replace(/\s+/g, ' ').trim()
  return r.length <= 70 ? r : `${r.slice(0, 69)}…`
}

const bare = (reason: string): string => reason.replace(/\([^)]*\)/g, '').replace(/[\d×~]+/g, '#').replace(/\s+/g, ' ').trim()

/** The first reason of the top suspect that the runner-up does not also have (the first one when all are shared). */
function distinguishingReason (top: Suspect, next: Suspect | undefined): string {
  const shared = new Set((next?.reasons ?? []).map(bare))
  return top.reasons.find((r) => !shared.has(bare(r))) ?? top.reasons[0] ?? ''
}

/** The one-line verdict: how bad, what, and which node to act on first. */
export function verdictOf (rows: readonly AlertRow[]): Verdict {
  if (rows.length === 0) return { level: 'ok', text: 'OK: no claim storm, ofport exhaustion or mass BFD down found' }
  let sev: Severity = 'info'
  for (const r of rows) sev = maxSeverity(sev, r.severity)
  const level = sev === 'critical' ? 'critical' : sev === 'warning' ? 'warning' : 'ok'
  const parts: string[] = []
  const storms = rows.filter((r) => r.kind === 'claim-storm')
  const gwStorms = storms.filter((r) => r.last.kind === 'claim-storm' && r.last.portClass === 'gateway')
  const vifStorms = storms.length - gwStorms.length
  if (gwStorms.length > 0) parts.push(`${plural(gwStorms.length, 'gateway port', 'gateway ports')} storming`)
  if (vifStorms > 0) parts.push(`${plural(vifStorms, 'VIF port', 'VIF ports')} storming`)
  const load = rows.filter((r) => r.kind === 'claim-load')
  if (load.length > 0 && storms.length === 0) parts.push(`Southbound claim load up to ${Math.round(Math.max(...load.map((r) => r.peakRate ?? 0)))} claims/s`)
  const byKind = (kind: AlertRow['kind'], label: string): void => {
    const ks = rows.filter((r) => r.kind === kind)
    if (ks.length === 0) return
    const nodes = [...new Set(ks.flatMap((r) => r.nodes))].sort()
    parts.push(`${label} on ${nodes.length <= 3 ? nodes.join(', ') : `${nodes.length} nodes`}`)
  }
  byKind('port-flap', 'port flapping')
  byKind('ofport-exhausted', 'OpenFlow port numbers exhausted')
  byKind('ofport-leak', 'OpenFlow port numbers leaking')
  byKind('bfd-mass-down', 'mass BFD down')
  if (parts.length === 0) parts.push(plural(rows.length, 'notice', 'notices'))

  // the culprit: the node ranked first on most storms (ties: the one on more storms overall)
  const firsts = new Map<string, { count: number; reason: string }>()
  for (const r of storms) {
    if (r.undetermined) continue
    const top = r.suspects[0]
    if (top === undefined) continue
    const cur = firsts.get(top.node) ?? { count: 0, reason: distinguishingReason(top, r.suspects[1]) }
    cur.count++
    firsts.set(top.node, cur)
  }
  let culprit: string | undefined
  let best = 0
  let reason = ''
  for (const [node, v] of firsts) {
    if (v.count > best) { best = v.count; culprit = node; reason = v.reason }
  }
  if (culprit === undefined) {
    // node-scoped signals name their node; beside storms whose evidence names no one, only a node that takes
    // part in them (a BFD alert on a gateway is no answer to a VIF storm between hypervisors), and BFD only
    // beside gateway-port storms: BFD decides which gateway holds a cr-lrp port, while a VIF port is fought
    // over for other reasons (a duplicate iface-id), so a tunnel down on its rightful hypervisor is no answer
    const bfdAnswers = storms.length === 0 || gwStorms.length > 0
    const scoped = rows.filter((r) => r.kind !== 'claim-storm' && r.kind !== 'claim-load' && r.severity === sev && (bfdAnswers || r.kind !== 'bfd-mass-down'))
    const nodes = [...new Set(scoped.flatMap((r) => r.nodes))]
    const stormNodes = new Set(storms.flatMap((r) => r.nodes))
    if (nodes.length === 1 && (storms.length === 0 || stormNodes.has(nodes[0] as string))) culprit = nodes[0]
  }
  const head = `${level === 'critical' ? 'CRITICAL' : level === 'warning' ? 'WARNING' : 'NOTICE'}: ${parts.join('; ')}`
  if (culprit === undefined) {
    const undetermined = storms.filter((r) => r.undetermined)
    const leads = [...new Set(undetermined.map((r) => r.suspects[0]?.node).filter((n) => n !== undefined))]
    const text = undetermined.length > 0
      ? `${head}; the evidence does not single out one node${leads.length === 1 ? ` (${leads[0] ?? ''} leads)` : ''}`
      : head
    return { level, text }
  }
  const verb = gwStorms.length > 0 ? 'drain' : 'look at'
  // "in every hand-off (86/86)": the counts differ per port and belong to the rows, not the verdict
  let r0 = shortReason(reason).replace(/\s*\(\d+\/\d+\)$/, '')
  const everyHandoff = storms.length > 0 && storms.every((r) =>
    r.suspects.find((x) => x.node === culprit)?.reasons.some((x) => /^in every hand-off/.test(x)) === true)
  if (everyHandoff) r0 = storms.length === 1 ? 'in every hand-off' : `in every hand-off of all ${storms.length} storms`
  const why = storms.length > 1 && best < storms.length
    ? `first suspect on ${best} of ${storms.length} storms${r0 === '' ? '' : `; ${r0}`}`
    : r0
  return { level, text: `${head}; ${verb} ${culprit} first${why === '' ? '' : ` (${why})`}`, culprit }
}
