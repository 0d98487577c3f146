// Synthetic OVN scenarios for what the lab cannot make cheaply: real-format vlog lines per node (the default
// file pattern, catalog §1.1) with per-node serials, optional clock skew, and the claim cadence of each throttle
// regime. Plus `runDetector`, which feeds per-node lines through the real parser, mergeByTime and the detector
// (and the baseline rule) the way `claimstorm scan` does.
import { createVlogParser } from '../../src/parse/vlog.js'
import { mergeByTime } from '../../src/detect/merge.js'
import { createDetector } from '../../src/detect/detector.js'
import type { Detector } from '../../src/detect/detector.js'
import type { DetectorOptions } from '../../src/detect/options.js'
import { createBaselineRule } from '../../src/detect/baseline-rule.js'
import type { BaselineEpisode, BaselineFiring } from '../../src/detect/baseline-rule.js'
import type { ParseResult, Signal, ThrottleRegime } from '../../src/types.js'
import { seededRandom } from '../../bench/lib/corpus.js'

export interface SynthLog {
  node: string
  daemon: 'ovn-controller' | 'ovs-vswitchd'
  lines: string[]
}

/** Epoch ms → `2026-11-22T07:45:53.497Z` (vlog's `%D{%Y-%m-%dT%H:%M:%S.###Z}`). */
export function vlogTime (ms: number): string {
  return new Date(ms).toISOString()
}

interface Pending { t: number, text: string }

/** Collects one daemon's lines of one node; `skewMs` shifts what its clock prints. */
export class NodeLog {
  readonly node: string
  readonly daemon: SynthLog['daemon']
  readonly skewMs: number
  private seq = 0
  private readonly pending: Pending[] = []

  constructor (node: string, daemon: SynthLog['daemon'], skewMs = 0) {
    this.node = node
    this.daemon = daemon
    this.skewMs = skewMs
  }

  log (t: number, module: string, level: string, message: string): void {
    this.pending.push({ t, text: `${module}|${level}|${message}` })
  }

  /** The log file: ordered by the node's own time, serials in that order. */
  done (): SynthLog {
    const sorted = [...this.pending].sort((a, b) => a.t - b.t)
    const lines = sorted.map((p) => `${vlogTime(Math.round(p.t + this.skewMs))}|${String(++this.seq).padStart(5, '0')}|${p.text}`)
    return { node: this.node, daemon: this.daemon, lines }
  }
}

/** A deterministic pseudo-random generator (mulberry32), so scenarios are reproducible: the benches' own. */
export const rng = seededRandom

export function gatewayPortName (i: number): string {
  const h = (i * 2654435761 >>> 0).toString(16).padStart(8, '0')
  return `cr-lrp-${h}-${String(1000 + i).slice(-4)}-4${h.slice(0, 3)}-8${h.slice(3, 6)}-${h}${h.slice(0, 4)}`
}

function claimLines (log: NodeLog, t: number, lport: string, from: string | null, mac: string, cidr: string): void {
  if (from === null) log.log(t, 'binding', 'INFO', `Claiming lport ${lport} for this chassis.`)
  else log.log(t, 'binding', 'INFO', `Changing chassis for lport ${lport} from ${from} to ${log.node}.`)
  log.log(t, 'binding', 'INFO', `${lport}: Claiming ${mac} ${cidr}`)
}

function bfdDown (log: NodeLog, t: number, remote: string): void {
  log.log(t, 'bfd(monitor7)', 'INFO', `ovn-${remote.slice(0, 6)}-0: BFD state change: up->down "No Diagnostic"->"Control Detection Time Expired".`)
}

/** Re-claim cadence per chassis per port under each regime (ms between two claims of one chassis). */
export const REGIME_CADENCE_MS: Readonly<Record<ThrottleRegime, number>> = { none: 40, '500ms': 501, '2s': 2003 }

export interface GatewayStormOptions {
  regime: ThrottleRegime
  startMs: number
  durationMs: number
  gateways: string[]
  ports: number
  /** The gateway cut off from the others: it fights every port. */
  badNode: string
  /** Clock offset per node, ms (what its log prints minus true time). */
  skewMs?: Record<string, number>
  seed?: number
}

export interface SynthScenario {
  logs: SynthLog[]
  lports: string[]
  /** True time of the first contested claim. */
  firstContestedMs: number
  lastClaimMs: number
}

/**
 * 3 gateways × N gateway ports with one bad node (lab scenario 7 at any regime): each port's owner (the good
 * gateways in turn) and the bad node take it from each other at the regime's cadence; with `2s` the owner is
 * the highest-priority chassis and exempt from the throttle, so it re-takes the port right after each claim of
 * the bad node. BFD between the bad node and the others goes down 3 s before the fight.
 */
export function gatewayStorm (o: GatewayStormOptions): SynthScenario {
  const rand = rng(o.seed ?? 1)
  const skew = o.skewMs ?? {}
  const ctl = new Map(o.gateways.map((g) => [g, new NodeLog(g, 'ovn-controller', skew[g] ?? 0)]))
  const vsw = new Map(o.gateways.map((g) => [g, new NodeLog(g, 'ovs-vswitchd', skew[g] ?? 0)]))
  const good = o.gateways.filter((g) => g !== o.badNode)
  const cadence = REGIME_CADENCE_MS[o.regime]
  const lports: string[] = []
  const bfdAt = o.startMs - 3000
  for (const g of good) {
    bfdDown(vsw.get(o.badNode) as NodeLog, bfdAt + rand() * 50, g)
    bfdDown(vsw.get(g) as NodeLog, bfdAt + 400 + rand() * 50, o.badNode)
  }
  let last = o.startMs
  for (let i = 0; i < o.ports; i++) {
    const lport = gatewayPortName(i)
    lports.push(lport)
    const owner = good[i % good.length] as string
    const mac = `fa:16:3e:aa:00:${String(i + 10).padStart(2, '0')}`
    const cidr = `172.24.${4 + i}.10/24`
    const bad = ctl.get(o.badNode) as NodeLog
    const own = ctl.get(owner) as NodeLog
    const offset = rand() * 100
    for (let t = o.startMs + offset; t < o.startMs + o.durationMs; t += cadence + rand() * 8) {
      claimLines(bad, t, lport, owner, mac, cidr)
      const back = o.regime === '2s' ? t + 20 + rand() * 30 : t + cadence / 2 + rand() * 5
      claimLines(own, back, lport, o.badNode, mac, cidr)
      last = Math.max(last, back)
    }
  }
  for (const g of o.gateways) (vsw.get(g) as NodeLog).log(last + 2000, 'bfd', 'INFO', `ovn-${(g === o.badNode ? good[0] : o.badNode)?.slice(0, 6) ?? ''}-0: BFD state change: down->up "Control Detection Time Expired"->"Control Detection Time Expired".`)
  return {
    logs: [...ctl.values(), ...vsw.values()].map((l) => l.done()),
    lports,
    firstContestedMs: o.startMs,
    lastClaimMs: last
  }
}

/** N gateway ports fail over from one gateway to another within `withinMs`: one claim each, a clean move. */
export function cleanFailover (o: { ports: number, from: string, to: string, startMs: number, withinMs: number, seed?: number }): SynthScenario {
  const rand = rng(o.seed ?? 2)
  const to = new NodeLog(o.to, 'ovn-controller')
  const lports: string[] = []
  let last = o.startMs
  for (let i = 0; i < o.ports; i++) {
    const lport = gatewayPortName(100 + i)
    lports.push(lport)
    const t = o.startMs + rand() * o.withinMs
    last = Math.max(last, t)
    claimLines(to, t, lport, i % 2 === 0 ? o.from : null, `fa:16:3e:bb:01:${String(i).padStart(2, '0')}`, `172.30.${i}.1/24`)
  }
  return { logs: [to.done()], lports, firstContestedMs: o.startMs, lastClaimMs: last }
}

/** Parses every line of `logs` (node = the log's node), one ParseResult stream per log. */
export function parseLogs (logs: Array<{ node: string, lines: string[] }>): ParseResult[][] {
  const parse = createVlogParser()
  return logs.map((l) => l.lines.map((line) => parse(line, { wrapper: 'bare', node: l.node })))
}

async function * iterate (xs: readonly ParseResult[]): AsyncIterable<ParseResult> {
  for (const x of xs) yield x
}

export interface DetectRun {
  signals: Signal[]
  /** Signals emitted directly by `push` (not by the final tick/flush). */
  pushed: Signal[]
  detector: Detector
  baseline: { firings: BaselineFiring[], episodes: BaselineEpisode[], matches: number }
  /** Every result in merged order. */
  merged: ParseResult[]
}

/**
 * Parses `logs`, merges them by event time, pushes everything through a detector and the baseline rule,
 * then ticks past `quietMs` after the last event (so what ended resolves as `quiet`) and flushes.
 */
export async function runDetector (logs: Array<{ node: string, lines: string[] }>, options: Partial<DetectorOptions> = {}): Promise<DetectRun> {
  const streams = parseLogs(logs)
  const merged: ParseResult[] = []
  for await (const r of mergeByTime(streams.map(iterate))) merged.push(r)
  return runResults(merged, options)
}

/** Pushes results in the given order (e.g. a deliberately late or duplicated arrival order). */
export function runResults (results: readonly ParseResult[], options: Partial<DetectorOptions> = {}): DetectRun {
  const detector = createDetector(options)
  const baselineRule = createBaselineRule()
  const pushed: Signal[] = []
  const firings: BaselineFiring[] = []
  let lastT = -Infinity
  for (const r of results) {
    pushed.push(...detector.push(r))
    firings.push(...baselineRule.push(r))
    if (r.kind !== 'unparsed' && r.timeMs !== null) lastT = Math.max(lastT, r.timeMs)
  }
  firings.push(...baselineRule.flush())
  const signals = [...pushed]
  if (lastT !== -Infinity) signals.push(...detector.tick(lastT + detector.options.quietMs + detector.options.allowedLatenessMs + 1000))
  signals.push(...detector.flush())
  return { signals, pushed, detector, baseline: { firings, episodes: baselineRule.episodes(), matches: baselineRule.matches }, merged: results.slice() }
}

export function ofKind<K extends Signal['kind']> (signals: readonly Signal[], kind: K): Array<Extract<Signal, { kind: K }>> {
  return signals.filter((s): s is Extract<Signal, { kind: K }> => s.kind === kind)
}
