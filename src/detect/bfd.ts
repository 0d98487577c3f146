// bfd-mass-down: many BFD sessions of one node going down within seconds. vlog's shared bfd limiter
// (RL 20/min, burst 20, catalog §4.5) hides most state changes in `Dropped N log messages` lines, so
// those are folded in as an estimate. Down events are also kept as evidence for claim-storm suspects.
import type { BfdMassDownSignal, BfdStateChangeEvent, Signal, VlogDroppedEvent } from '../types.js'
import type { DetectContext } from './context.js'
import type { Lifecycle, RenderBase } from './lifecycle.js'
import type { ResolvedDetectorOptions } from './options.js'
import { Lru } from './lru.js'

export interface BfdDown { t: number, node: string, iface: string }

interface MassDown {
  key: string
  node: string
  downLogged: number
  hidden: number
  ifaces: Set<string>
}

interface NodeBfd {
  downs: BfdDown[]
  dropped: Array<{ t: number, n: number }>
  /** Times of visible bfd lines (any template), for the share of state changes among what the limiter let through. */
  visible: number[]
  open: MassDown | null
}

const MAX_PER_NODE = 256
const MAX_EVIDENCE = 4096
const MAX_IFACES_LISTED = 64
/** Share assumed when no visible bfd line says otherwise. */
const DEFAULT_DOWN_SHARE = 0.5

export interface BfdRule {
  onStateChange: (e: BfdStateChangeEvent, t: number, node: string, out: Signal[]) => void
  onDropped: (e: VlogDroppedEvent, t: number, node: string, out: Signal[]) => void
  /** Any other visible line of module bfd. */
  onVisible: (t: number, node: string) => void
  /** Down events with `fromMs <= t <= toMs`. */
  evidence: (fromMs: number, toMs: number) => BfdDown[]
  evictions: () => number
}

function pruneTimes<T extends { t: number }> (arr: T[], minT: number): void {
  let i = 0
  while (i < arr.length && (arr[i] as T).t < minT) i++
  if (i > 0) arr.splice(0, i)
  if (arr.length > MAX_PER_NODE) arr.splice(0, arr.length - MAX_PER_NODE)
}

export function createBfdRule (ctx: DetectContext): BfdRule {
  return new BfdRuleImpl(ctx)
}

/**
 * The BFD rule as a class: its methods live on the prototype, shared by every detector, so the code one detector
 * warmed up serves the next; its state lives in fields set in the same order for every instance.
 */
class BfdRuleImpl implements BfdRule {
  private readonly ctx: DetectContext
  private readonly opts: ResolvedDetectorOptions
  private readonly lc: Lifecycle
  private readonly perNode: Lru<string, NodeBfd>
  private readonly downEvidence: BfdDown[] = []
  private readonly keep: number

  constructor (ctx: DetectContext) {
    this.ctx = ctx
    this.opts = ctx.opts
    this.lc = ctx.lc
    this.perNode = new Lru<string, NodeBfd>(this.opts.maxTrackedNodes)
    this.keep = Math.max(this.opts.bfdWindowMs, this.opts.bfdEvidenceLookbackMs) * 2
  }

  private state (node: string): NodeBfd {
    let s = this.perNode.touch(node)
    if (s === undefined) {
      s = { downs: [], dropped: [], visible: [], open: null }
      this.perNode.add(node, s)
    }
    return s
  }

  private pushVisible (s: NodeBfd, t: number): void {
    s.visible.push(t)
    if (s.visible.length > MAX_PER_NODE) s.visible.splice(0, s.visible.length - MAX_PER_NODE)
  }

  private downShare (s: NodeBfd, fromT: number): number {
    let visible = 0
    for (let i = s.visible.length - 1; i >= 0 && (s.visible[i] as number) >= fromT; i--) visible++
    let downs = 0
    for (let i = s.downs.length - 1; i >= 0 && (s.downs[i] as BfdDown).t >= fromT; i--) downs++
    if (visible + downs === 0) return DEFAULT_DOWN_SHARE
    return downs / (visible + downs)
  }

  private render (m: MassDown): (base: RenderBase) => BfdMassDownSignal {
    return (base) => ({
      kind: 'bfd-mass-down',
      ...base,
      severity: 'warning',
      node: m.node,
      downLogged: m.downLogged,
      hiddenEstimate: m.hidden,
      ifaces: [...m.ifaces].sort(),
      estimated: m.hidden > 0
    })
  }

  private evaluate (s: NodeBfd, node: string, t: number, out: Signal[]): void {
    if (s.open !== null) { this.lc.touch(s.open.key, t, this.ctx.watermark, out); return }
    const from = t - this.opts.bfdWindowMs
    const ifaces = new Set<string>()
    let first = t
    for (let i = s.downs.length - 1; i >= 0; i--) {
      const d = s.downs[i] as BfdDown
      if (d.t < from) break
      ifaces.add(d.iface)
      first = Math.min(first, d.t)
    }
    if (ifaces.size === 0) return
    let dropped = 0
    for (let i = s.dropped.length - 1; i >= 0; i--) {
      const d = s.dropped[i] as { t: number, n: number }
      if (d.t < from) break
      dropped += d.n
    }
    const hidden = Math.round(dropped * this.downShare(s, from))
    if (ifaces.size + hidden < this.opts.bfdMinTunnels) return
    const m: MassDown = { key: `bfd-mass-down:${node}`, node, downLogged: ifaces.size, hidden, ifaces }
    const opened = this.lc.fire(m.key, 'bfd-mass-down', first, t, this.render(m), () => { s.open = null }, out)
    if (opened) s.open = m
  }

  onStateChange (e: BfdStateChangeEvent, t: number, node: string, out: Signal[]): void {
    const s = this.state(node)
    // admin_down->down is a session being configured, not one failing.
    if (e.newState !== 'down' || e.oldState === 'admin_down' || e.oldState === 'down') { this.pushVisible(s, t); return }
    const d: BfdDown = { t, node, iface: e.iface }
    s.downs.push(d)
    pruneTimes(s.downs, t - this.keep)
    const evidence = this.downEvidence
    evidence.push(d)
    if (evidence.length > MAX_EVIDENCE) evidence.splice(0, evidence.length - MAX_EVIDENCE)
    if (s.open !== null) {
      s.open.downLogged++
      if (s.open.ifaces.size < MAX_IFACES_LISTED) s.open.ifaces.add(e.iface)
    }
    this.evaluate(s, node, t, out)
  }

  onDropped (e: VlogDroppedEvent, t: number, node: string, out: Signal[]): void {
    const s = this.state(node)
    // The summary comes with the next admitted message, possibly long after the drops: date them by the last one.
    const lastDrop = t - e.mostRecentSecondsAgo * 1000
    if (lastDrop < t - this.opts.bfdWindowMs) return
    s.dropped.push({ t: lastDrop, n: e.count })
    pruneTimes(s.dropped, t - this.keep)
    if (s.open !== null) {
      s.open.hidden += Math.round(e.count * this.downShare(s, t - this.opts.bfdWindowMs))
      this.lc.touch(s.open.key, t, this.ctx.watermark, out)
      return
    }
    this.evaluate(s, node, t, out)
  }

  onVisible (t: number, node: string): void { this.pushVisible(this.state(node), t) }

  evidence (fromMs: number, toMs: number): BfdDown[] {
    // Downs are kept in arrival order, and a line is accepted only within allowedLatenessMs of the newest time:
    // once a down is that much older than `fromMs`, every one that arrived before it is older than `fromMs`.
    const evidence = this.downEvidence
    let start = evidence.length
    while (start > 0 && (evidence[start - 1] as BfdDown).t + this.opts.allowedLatenessMs >= fromMs) start--
    const out: BfdDown[] = []
    for (let i = start; i < evidence.length; i++) {
      const d = evidence[i] as BfdDown
      if (d.t >= fromMs && d.t <= toMs) out.push(d)
    }
    return out
  }

  evictions (): number { return this.perNode.evictions }
}
