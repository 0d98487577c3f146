// OpenFlow port numbers (catalog §4.2): automatic numbers are 1…32767, a deleted number is kept for an hour.
// ofport-exhausted: any 65535 line is already the failure (critical at the first line).
// ofport-leak: the same interface re-added again and again with climbing numbers, or `Device or resource busy` loops.
import type {
  IfaceAddedEvent, OfportAllocFailedEvent, OfportExhaustedSignal, OfportLeakSignal, OfprotoNonexistentPortEvent,
  PortAddFailedEvent, Signal
} from '../types.js'
import type { DetectContext } from './context.js'
import type { Lifecycle, RenderBase } from './lifecycle.js'
import type { ResolvedDetectorOptions } from './options.js'
import { Lru } from './lru.js'

/** OFPP_NONE: what allocation returned before OVS 2.11 when no number was free. */
export const OFPP_NONE = 65535
/** Top of the automatic range (`MIN(max_ports, 32768)` exclusive). */
export const MAX_AUTO_OFPORT = 32767
/** A deleted port's number is not reused for this long. */
export const OFPORT_REUSE_MS = 3_600_000

const MAX_ADDS = 64

interface IfaceState {
  node: string
  bridge: string
  iface: string
  adds: Array<{ t: number, ofport: number }>
  busy: number[]
  leak: { readds: number, busy: number, firstOfport: number, lastOfport: number, firstMs: number, lastAddMs: number } | null
}

interface Exhausted {
  node: string
  bridge: string
  iface?: string
  trigger: OfportExhaustedSignal['trigger']
  lines: number
}

export interface OfportRule {
  onAdded: (e: IfaceAddedEvent, t: number, node: string, out: Signal[]) => void
  onAddFailed: (e: PortAddFailedEvent, t: number, node: string, out: Signal[]) => void
  onAllocFailed: (e: OfportAllocFailedEvent, t: number, node: string, out: Signal[]) => void
  onNonexistent: (e: OfprotoNonexistentPortEvent, t: number, node: string, out: Signal[]) => void
  /** ofport numbers recently seen for an interface of `node`, for port-flap correlation. */
  ofportsOf: (node: string, iface: string) => number[] | undefined
  evictions: () => number
}

function isBusy (error: string): boolean {
  return /busy/i.test(error)
}

export function createOfportRule (ctx: DetectContext): OfportRule {
  return new OfportRuleImpl(ctx)
}

/**
 * The ofport rules as a class: its methods live on the prototype, shared by every detector, so the code one
 * detector warmed up serves the next; its state lives in fields set in the same order for every instance.
 */
class OfportRuleImpl implements OfportRule {
  private readonly ctx: DetectContext
  private readonly opts: ResolvedDetectorOptions
  private readonly lc: Lifecycle
  // Open ofport-exhausted conditions by key, and the interfaces seen being added (bounded, least recent evicted).
  private readonly exhausted = new Map<string, Exhausted>()
  private readonly ifaces: Lru<string, IfaceState>

  constructor (ctx: DetectContext) {
    this.ctx = ctx
    this.opts = ctx.opts
    this.lc = ctx.lc
    this.ifaces = new Lru<string, IfaceState>(this.opts.maxTrackedIfaces)
  }

  private ifaceState (node: string, iface: string, bridge: string | null): IfaceState {
    const k = `${node}\u0000${iface}`
    let s = this.ifaces.touch(k)
    if (s === undefined) {
      s = { node, bridge: bridge ?? '', iface, adds: [], busy: [], leak: null }
      this.ifaces.add(k, s)
    } else if (bridge !== null && s.bridge === '') s.bridge = bridge
    return s
  }

  private prune (s: IfaceState, t: number): void {
    const from = t - this.opts.leakWindowMs
    let i = 0
    while (i < s.adds.length && (s.adds[i] as { t: number }).t < from) i++
    if (i > 0) s.adds.splice(0, i)
    if (s.adds.length > MAX_ADDS) s.adds.splice(0, s.adds.length - MAX_ADDS)
    let j = 0
    while (j < s.busy.length && (s.busy[j] as number) < from) j++
    if (j > 0) s.busy.splice(0, j)
    if (s.busy.length > MAX_ADDS) s.busy.splice(0, s.busy.length - MAX_ADDS)
  }

  private renderLeak (s: IfaceState): (base: RenderBase) => OfportLeakSignal {
    return (base) => {
      const l = s.leak as NonNullable<IfaceState['leak']>
      const minutes = Math.max((l.lastAddMs - l.firstMs) / 60000, 1 / 60)
      const growthPerMin = l.lastOfport > l.firstOfport ? (l.lastOfport - l.firstOfport) / minutes : 0
      return {
        kind: 'ofport-leak',
        ...base,
        severity: 'warning',
        node: s.node,
        bridge: s.bridge,
        iface: s.iface,
        readds: l.readds,
        firstOfport: l.firstOfport,
        lastOfport: l.lastOfport,
        growthPerMin: Math.round(growthPerMin * 100) / 100,
        busyErrors: l.busy,
        estimatedExhaustionMs: exhaustionMs(l.lastAddMs, l.lastOfport, growthPerMin, l.busy > 0)
      }
    }
  }

  private evaluateLeak (s: IfaceState, t: number, out: Signal[]): void {
    const key = `ofport-leak:${s.node}/${s.bridge}/${s.iface}`
    if (s.leak !== null && this.lc.isOpen(key)) { this.lc.touch(key, t, this.ctx.watermark, out); return }
    const adds = s.adds
    let climbing = 0
    for (let i = 1; i < adds.length; i++) if ((adds[i] as { ofport: number }).ofport > (adds[i - 1] as { ofport: number }).ofport) climbing++
    const readds = adds.length - 1
    const leakByReadds = readds >= this.opts.leakMinReadds && climbing >= readds * 0.8
    const leakByBusy = s.busy.length >= this.opts.leakMinBusyErrors
    if (!leakByReadds && !leakByBusy) return
    const first = adds[0]
    const last = adds[adds.length - 1]
    const firstMs = Math.min(first?.t ?? t, s.busy[0] ?? t)
    s.leak = {
      readds: Math.max(readds, 0),
      busy: s.busy.length,
      firstOfport: first?.ofport ?? 0,
      lastOfport: last?.ofport ?? 0,
      firstMs,
      lastAddMs: last?.t ?? t
    }
    const opened = this.lc.fire(key, 'ofport-leak', firstMs, t, this.renderLeak(s), () => { s.leak = null }, out)
    if (!opened) s.leak = null
  }

  private exhaustedHit (node: string, bridge: string, iface: string | undefined, trigger: Exhausted['trigger'], t: number, out: Signal[]): void {
    const key = `ofport-exhausted:${node}/${bridge}`
    const exhausted = this.exhausted
    const cur = exhausted.get(key)
    if (cur !== undefined && this.lc.isOpen(key)) {
      cur.lines++
      if (cur.iface === undefined && iface !== undefined) cur.iface = iface
      this.lc.touch(key, t, this.ctx.watermark, out)
      return
    }
    const x: Exhausted = { node, bridge, trigger, lines: 1 }
    if (iface !== undefined) x.iface = iface
    exhausted.set(key, x)
    this.lc.fire(key, 'ofport-exhausted', t, t, (base) => {
      const sig: OfportExhaustedSignal = { kind: 'ofport-exhausted', ...base, severity: 'critical', node: x.node, bridge: x.bridge, trigger: x.trigger, lines: x.lines }
      if (x.iface !== undefined) sig.iface = x.iface
      return sig
    }, () => { exhausted.delete(key) }, out)
  }

  onAdded (e: IfaceAddedEvent, t: number, node: string, out: Signal[]): void {
    if (e.ofport === OFPP_NONE) { this.exhaustedHit(node, e.bridge, e.iface, 'ofport-65535', t, out); return }
    const s = this.ifaceState(node, e.iface, e.bridge)
    s.adds.push({ t, ofport: e.ofport })
    this.prune(s, t)
    if (s.leak !== null) {
      s.leak.readds++
      s.leak.lastOfport = e.ofport
      s.leak.lastAddMs = t
    }
    this.evaluateLeak(s, t, out)
  }

  onAddFailed (e: PortAddFailedEvent, t: number, node: string, out: Signal[]): void {
    if (!isBusy(e.error)) return
    const s = this.ifaceState(node, e.iface, null)
    s.busy.push(t)
    this.prune(s, t)
    if (s.leak !== null) s.leak.busy++
    this.evaluateLeak(s, t, out)
  }

  onAllocFailed (e: OfportAllocFailedEvent, t: number, node: string, out: Signal[]): void { this.exhaustedHit(node, e.bridge, e.iface, 'alloc-failed', t, out) }

  onNonexistent (e: OfprotoNonexistentPortEvent, t: number, node: string, out: Signal[]): void {
    if (e.ofport === OFPP_NONE) this.exhaustedHit(node, e.bridge, undefined, 'nonexistent-port-65535', t, out)
  }

  ofportsOf (node: string, iface: string): number[] | undefined {
    const s = this.ifaces.peek(`${node}\u0000${iface}`)
    return s === undefined || s.adds.length === 0 ? undefined : s.adds.map((a) => a.ofport)
  }

  evictions (): number { return this.ifaces.evictions }
}

/**
 * When the automatic range runs out at the observed growth, or null when it does not: the cursor climbs to 32767
 * and then reuses numbers deleted over an hour ago, so clean re-adds exhaust it only when more than 32767 numbers
 * are taken per hour. Numbers of failed adds (busy loops, OVS < 2.11) are never returned: linear to the top.
 */
export function exhaustionMs (lastMs: number, lastOfport: number, growthPerMin: number, leaking: boolean): number | null {
  if (growthPerMin <= 0) return null
  const perHour = growthPerMin * 60
  if (!leaking && perHour < MAX_AUTO_OFPORT) return null
  const left = Math.max(MAX_AUTO_OFPORT - lastOfport, 0)
  return Math.round(lastMs + (left / growthPerMin) * 60000)
}
