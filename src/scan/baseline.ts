// --compare-baseline: today's Loki rule evaluated per node on the same input (src/detect/baseline-rule.ts),
// its firings folded into spans, and every place where it and claimstorm disagree, computed.
import type { ParseResult } from '../types.js'
import type { AlertRow, BaselineComparison, BaselineFiring, ScanReport } from './model.js'
import { clock, shorten } from './format.js'

export const BASELINE_RULE = 'rate({app="ovs"} |= "binding|INFO|cr-lrp" [1m]) > 1'

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

/** Where the rule and claimstorm disagree, one sentence each. */
export function compareWithBaseline (firings: readonly BaselineFiring[], report: Pick<ScanReport, 'alerts' | 'nodes'>): BaselineComparison {
  const differences: string[] = []
  for (const r of report.alerts) {
    if (r.kind !== 'claim-storm' && r.kind !== 'port-flap') continue
    const seen = firings.filter((f) => r.nodes.includes(f.node) && overlaps(f, r.startMs, r.endMs))
    const what = `${r.kind === 'claim-storm' ? 'claim storm' : 'port flap'} on ${shorten(r.subject, 40)} (${r.nodes.join(', ')}, ${clock(r.startMs)}Z)`
    if (seen.length === 0) {
      differences.push(`${what}: the rule stayed silent`)
      continue
    }
    const top = r.suspects[0]?.node
    const firedOn = [...new Set(seen.map((f) => f.node))]
    if (top !== undefined && !r.undetermined && !firedOn.includes(top)) {
      differences.push(`${what}: the rule fired on ${firedOn.join(', ')} but not on ${top}, the node at fault`)
    } else if (firedOn.length > 1 && top !== undefined && !r.undetermined) {
      differences.push(`${what}: the rule fired on ${firedOn.join(', ')} alike; claimstorm names ${top}`)
    }
  }
  const stormy = report.alerts.filter(isStormy)
  for (const f of firings) {
    const explained = stormy.some((r) => (r.kind === 'claim-load' || r.nodes.includes(f.node)) && overlaps(f, r.startMs, r.endMs))
    if (!explained) differences.push(`the rule fired on ${f.node} ${clock(f.startMs)}–${clock(f.endMs)}Z where claimstorm found no storm`)
  }
  const fired = new Set(firings.map((f) => f.node))
  return { rule: BASELINE_RULE, firings: [...firings], silentNodes: report.nodes.filter((n) => !fired.has(n)), differences }
}

/** The rule's evaluator over the scan's merged stream. */
export function createBaselineEvaluator (): BaselineEvaluator {
  throw new Error('baseline rule not available yet')
}
