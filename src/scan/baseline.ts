// --compare-baseline: today's Loki rule evaluated per node on the same input (src/detect/baseline-rule.ts),
// its firings folded into spans, and every place where it and claimstorm disagree, computed.
import type { ParseResult } from '../types.js'
import { DEFAULT_BASELINE_RULE_OPTIONS, createBaselineRule } from '../detect/baseline-rule.js'
import type { AlertRow, BaselineComparison, BaselineFiring, ScanReport } from './model.js'
import { clock, shorten } from './format.js'

export const BASELINE_RULE = `rate({app="ovs"} |= "${DEFAULT_BASELINE_RULE_OPTIONS.needle}" [1m]) > ${DEFAULT_BASELINE_RULE_OPTIONS.thresholdPerSec}`

/** How far around an alert a firing of the rule still counts as "the rule saw it" (its 1 m range). */
const RANGE_MS = 60_000

export interface BaselineEvaluator {
  push: (r: ParseResult) => void
  /** Continuous firings per node, in time order. */
  finish: () => BaselineFiring[]
}

function overlaps (f: BaselineFiring, startMs: number, endMs: number): boolean {
  return f.startMs <= endMs + RANGE_MS && f.endMs >= startMs - RANGE_MS
}

function isStormy (r: AlertRow): boolean {
  return r.kind === 'claim-storm' || r.kind === 'claim-load' || r.kind === 'port-flap'
}

function listPorts (rows: readonly AlertRow[]): string {
  const names = rows.map((r) => shorten(r.subject, 28))
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`
}

/** Where the rule and claimstorm disagree, one sentence per kind of disagreement. */
export function compareWithBaseline (firings: readonly BaselineFiring[], report: Pick<ScanReport, 'alerts' | 'nodes' | 'signals'>): BaselineComparison {
  const differences: string[] = []
  const missed: AlertRow[] = []
  const alike = new Map<string, { rows: AlertRow[]; fired: Set<string> }>()
  const wrong: string[] = []
  for (const r of report.alerts) {
    if (r.kind !== 'claim-storm' && r.kind !== 'port-flap') continue
    const seen = firings.filter((f) => r.nodes.includes(f.node) && overlaps(f, r.startMs, r.endMs))
    if (seen.length === 0) { missed.push(r); continue }
    const top = r.undetermined ? undefined : r.suspects[0]?.node
    if (top === undefined) continue
    const firedOn = [...new Set(seen.map((f) => f.node))].sort()
    if (!firedOn.includes(top)) {
      wrong.push(`${r.kind === 'claim-storm' ? 'claim storm' : 'port flap'} on ${shorten(r.subject, 40)}: the rule fired on ${firedOn.join(', ')} but not on ${top}, the node at fault`)
    } else if (firedOn.length > 1) {
      const g = alike.get(top) ?? { rows: [], fired: new Set<string>() }
      g.rows.push(r)
      for (const n of firedOn) g.fired.add(n)
      alike.set(top, g)
    }
  }
  if (missed.length > 0) {
    const vif = missed.every((r) => r.last.kind === 'claim-storm' && r.last.portClass === 'vif')
    differences.push(`${missed.length === 1 ? 'a storm' : `${missed.length} storms`} the rule stayed silent on: ${listPorts(missed)} (${[...new Set(missed.flatMap((r) => r.nodes))].join(', ')})${vif ? '; a VIF port name never contains "cr-lrp"' : ''}`)
  }
  for (const [top, g] of alike) {
    differences.push(`on ${g.rows.length === 1 ? `the storm of ${listPorts(g.rows)}` : `${g.rows.length} storms`} the rule fired on ${[...g.fired].sort().join(', ')} alike: it does not say which node to drain; claimstorm names ${top}`)
  }
  differences.push(...wrong)
  const stormy = report.alerts.filter(isStormy)
  for (const f of firings) {
    const explained = stormy.some((r) => (r.kind === 'claim-load' || r.nodes.includes(f.node)) && overlaps(f, r.startMs, r.endMs))
    if (!explained) differences.push(`the rule fired on ${f.node} ${clock(f.startMs)}–${clock(f.endMs)}Z where claimstorm found no storm`)
  }
  // who spoke first: claimstorm's first storm firing against the rule's first evaluation that fired
  const firstStorm = report.signals.find((x) => x.status === 'firing' && (x.kind === 'claim-storm' || x.kind === 'port-flap'))
  const firstFiring = firings.reduce<BaselineFiring | undefined>((a, f) => (a === undefined || f.startMs < a.startMs ? f : a), undefined)
  if (firstStorm !== undefined && firstFiring !== undefined) {
    const d = firstFiring.startMs - firstStorm.lastMs
    differences.push(`claimstorm fired at ${clock(firstStorm.lastMs)}Z, the rule first at ${clock(firstFiring.startMs)}Z (${d >= 0 ? `${(d / 1000).toFixed(1)} s later` : `${(-d / 1000).toFixed(1)} s earlier`})`)
  }
  const fired = new Set(firings.map((f) => f.node))
  return { rule: BASELINE_RULE, firings: [...firings], silentNodes: report.nodes.filter((n) => !fired.has(n)), differences }
}

/** The rule's evaluator over the scan's merged stream; each run of firing evaluations becomes one span. */
export function createBaselineEvaluator (): BaselineEvaluator {
  const rule = createBaselineRule()
  return {
    push (r) { rule.push(r) },
    finish () {
      rule.flush()
      return rule.episodes().map((e) => ({ node: e.node, startMs: e.startMs, endMs: e.endMs, peakPerSec: e.peakRatePerSec }))
    }
  }
}
