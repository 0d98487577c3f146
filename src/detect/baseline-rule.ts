// Today's rule, kept as a comparison baseline:
//
//   rate({app="ovs"} |= "binding|INFO|cr-lrp" [1m]) > 1      evaluated per node, every 15 s, like a Loki ruler
//
// `|=` is a substring match on the raw line, so it sees `module[(thread)]|LEVEL|message` exactly as written:
// it matches only the `cr-lrp-…: Claiming <mac> <ip>` address lines (`Changing chassis for lport cr-lrp-…`
// starts with "Changing", and a `binding(ovn-controller)` thread suffix breaks the needle). `rate` over [1m]
// is the match count in the trailing minute / 60.
import { StormError } from '../errors.js'
import type { OvsEvent, ParseResult } from '../types.js'

export interface BaselineRuleOptions {
  /**
   * Substring searched in each raw line.
   * @default 'binding|INFO|cr-lrp'
   */
  needle: string
  /**
   * The range of `rate(…[1m])`.
   * @default 60000
   */
  rangeMs: number
  /**
   * Evaluation interval of the ruler (event time, aligned to the epoch).
   * @default 15000
   */
  stepMs: number
  /**
   * Fires when the per-second rate is strictly above this.
   * @default 1
   */
  thresholdPerSec: number
  /**
   * Nodes tracked at once.
   * @default 10000
   */
  maxTrackedNodes: number
}

export const DEFAULT_BASELINE_RULE_OPTIONS: Readonly<BaselineRuleOptions> = Object.freeze({
  needle: 'binding|INFO|cr-lrp',
  rangeMs: 60000,
  stepMs: 15000,
  thresholdPerSec: 1,
  maxTrackedNodes: 10000
})

/** One evaluation at which the rule holds for a node. */
export interface BaselineFiring {
  node: string
  /** Evaluation time, epoch ms. */
  atMs: number
  ratePerSec: number
  /** Matching lines in the trailing range. */
  matches: number
}

/** Consecutive firing evaluations of one node: what an alert manager would show as one alert. */
export interface BaselineEpisode {
  node: string
  startMs: number
  endMs: number
  peakRatePerSec: number
}

export interface BaselineRule {
  /** Feeds one parse result (in event-time order across nodes); returns the evaluations it completed that fire. */
  push: (result: ParseResult) => BaselineFiring[]
  /** Runs the remaining evaluations until every window has emptied. */
  flush: () => BaselineFiring[]
  /** Every firing evaluation so far, grouped per node into episodes. */
  episodes: () => BaselineEpisode[]
  readonly matches: number
}

/** The raw-line part Loki's line filter sees after the timestamp and serial: `module[(thread)]|LEVEL|message`. */
export function baselineLineText (e: OvsEvent): string {
  return `${e.module}${e.thread === undefined ? '' : `(${e.thread})`}|${e.level}|${e.message}`
}

export function createBaselineRule (options: Partial<BaselineRuleOptions> = {}): BaselineRule {
  const o: BaselineRuleOptions = { ...DEFAULT_BASELINE_RULE_OPTIONS, ...options }
  for (const k of ['rangeMs', 'stepMs', 'maxTrackedNodes'] as const) {
    if (!Number.isFinite(o[k]) || o[k] < 1) throw new StormError('E_CONFIG', `baseline rule option ${k} must be ≥ 1, got ${String(o[k])}`)
  }
  if (!Number.isFinite(o.thresholdPerSec) || o.thresholdPerSec < 0) throw new StormError('E_CONFIG', 'baseline rule option thresholdPerSec must be ≥ 0')
  if (typeof o.needle !== 'string' || o.needle === '') throw new StormError('E_CONFIG', 'baseline rule option needle must be a non-empty string')

  const perNode = new Map<string, number[]>()
  const all: BaselineFiring[] = []
  let nextStep: number | null = null
  let lastT = -Infinity
  let matches = 0

  function evaluate (at: number, out: BaselineFiring[]): void {
    const from = at - o.rangeMs
    for (const [node, times] of perNode) {
      let i = 0
      while (i < times.length && (times[i] as number) <= from) i++
      if (i > 0) times.splice(0, i)
      if (times.length === 0) { perNode.delete(node); continue }
      let n = 0
      for (const x of times) if (x <= at) n++
      const rate = n / (o.rangeMs / 1000)
      if (rate > o.thresholdPerSec) {
        const f: BaselineFiring = { node, atMs: at, ratePerSec: Math.round(rate * 1000) / 1000, matches: n }
        out.push(f)
        all.push(f)
      }
    }
  }

  function advance (to: number, out: BaselineFiring[]): void {
    if (nextStep === null) return
    while (nextStep <= to) {
      evaluate(nextStep, out)
      nextStep += o.stepMs
    }
  }

  return {
    push (r) {
      if (r.kind === 'unparsed') return []
      const t = r.timeMs ?? r.source.wrapperTimeMs
      if (t === undefined || t === null) return []
      const out: BaselineFiring[] = []
      if (nextStep === null) nextStep = Math.ceil(t / o.stepMs) * o.stepMs
      if (t > lastT) { advance(t - 1, out); lastT = t }
      if (r.module === 'binding' && baselineLineText(r).includes(o.needle)) {
        const node = r.source.node ?? 'unknown'
        let times = perNode.get(node)
        if (times === undefined) {
          if (perNode.size >= o.maxTrackedNodes) return out
          times = []
          perNode.set(node, times)
        }
        times.push(t)
        matches++
      }
      return out
    },
    flush () {
      const out: BaselineFiring[] = []
      if (lastT !== -Infinity) advance(lastT + o.rangeMs, out)
      return out
    },
    episodes () {
      const eps: BaselineEpisode[] = []
      const open = new Map<string, BaselineEpisode>()
      for (const f of [...all].sort((a, b) => a.atMs - b.atMs)) {
        const cur = open.get(f.node)
        if (cur !== undefined && f.atMs - cur.endMs <= o.stepMs) {
          cur.endMs = f.atMs
          cur.peakRatePerSec = Math.max(cur.peakRatePerSec, f.ratePerSec)
        } else {
          const ep = { node: f.node, startMs: f.atMs, endMs: f.atMs, peakRatePerSec: f.ratePerSec }
          open.set(f.node, ep)
          eps.push(ep)
        }
      }
      return eps
    },
    get matches () { return matches }
  }
}

/** Runs the baseline rule over a whole time-ordered stream. */
export function evaluateBaselineRule (results: Iterable<ParseResult>, options: Partial<BaselineRuleOptions> = {}): { firings: BaselineFiring[], episodes: BaselineEpisode[], matches: number } {
  const rule = createBaselineRule(options)
  const firings: BaselineFiring[] = []
  for (const r of results) firings.push(...rule.push(r))
  firings.push(...rule.flush())
  return { firings, episodes: rule.episodes(), matches: rule.matches }
}
