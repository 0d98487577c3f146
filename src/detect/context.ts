// State shared by the rules: options, lifecycle, event-time watermark, chassis↔node map, throttle regime.
import type { ThrottleRegime } from '../types.js'
import type { Lifecycle } from './lifecycle.js'
import { Lru } from './lru.js'
import { SmallMap } from './small-map.js'
import type { ResolvedDetectorOptions } from './options.js'
import { inferRegime, THROTTLE_INTERVAL_MS } from './throttle.js'

/** Regime assumed until it can be inferred: the most deployed one (22.09 – 24.03.6, Debian bookworm's 23.03). */
export const FALLBACK_REGIME: ThrottleRegime = '500ms'
const RECLAIM_SAMPLES = 256

export interface ThrottleView { regime: ThrottleRegime, floorMs: number | null, inferred: boolean, samples: number }

export interface NodeRegistry {
  /** Learns that `node` runs the chassis named `chassis` (OVS system-id), from `Changing chassis … to <chassis>`. */
  learn: (node: string, chassis: string) => void
  /** The node of a chassis name, or the chassis name itself when not learned (in many deployments they are equal). */
  nodeOf: (chassis: string) => string
  chassisOf: (node: string) => string | undefined
  /** The node at the far end of an OVN tunnel interface (`ovn-<first 6 chars of the remote chassis>-<n>`, catalog §4.3). */
  remoteOfTunnel: (iface: string) => string | null
  seen: (node: string) => void
  chassisMap: () => Record<string, string>
  evictions: () => number
}

export interface DetectContext {
  readonly opts: ResolvedDetectorOptions
  readonly lc: Lifecycle
  /** Newest event time seen (or ticked), epoch ms; -Infinity before the first. */
  watermark: number
  readonly nodes: NodeRegistry
  /** Records one contested re-claim interval (same port, same chassis). */
  addReclaimSample: (ms: number, gateway: boolean) => void
  throttle: () => ThrottleView
  /** Minimum contention span for a storm under the current regime. */
  stormMinSpanMs: () => number
  /** Longest pause between the acts of one storm under the current regime. */
  stormMaxGapMs: () => number
}

const TUNNEL_RE = /^ovn\d*-(.+)-[0-9a-f]+$/

export function createNodeRegistry (maxNodes: number): NodeRegistry {
  return new NodeRegistryImpl(maxNodes)
}

/** The registry as a class: methods on the prototype, shared by every detector; state in fields. */
class NodeRegistryImpl implements NodeRegistry {
  private readonly chassisToNode: Lru<string, string>
  private readonly nodeToChassis: Lru<string, string>
  private readonly nodes: Lru<string, true>
  private readonly tunnelCache = new Map<string, string | null>()
  // The few chassis of a storm come back on every claim: their node, and the pairs already learned, are kept in
  // small lists (mostly identity checks) in front of the maps, dropped whenever a mapping changes.
  private learned = new SmallMap<string>()
  private recentNodeOf = new SmallMap<string>()

  constructor (maxNodes: number) {
    this.chassisToNode = new Lru<string, string>(maxNodes)
    this.nodeToChassis = new Lru<string, string>(maxNodes)
    this.nodes = new Lru<string, true>(maxNodes)
  }

  learn (node: string, chassis: string): void {
    if (this.learned.get(chassis) === node) return
    if (this.chassisToNode.peek(chassis) !== node) {
      this.chassisToNode.add(chassis, node)
      this.nodeToChassis.add(node, chassis)
      this.tunnelCache.clear()
      this.learned = new SmallMap()
      this.recentNodeOf = new SmallMap()
    }
    if (this.learned.size < 8) this.learned.set(chassis, node)
  }

  nodeOf (chassis: string): string {
    const cached = this.recentNodeOf.get(chassis)
    if (cached !== undefined) return cached
    const node = this.chassisToNode.peek(chassis) ?? chassis
    if (this.recentNodeOf.size < 8) this.recentNodeOf.set(chassis, node)
    return node
  }

  chassisOf (node: string): string | undefined { return this.nodeToChassis.peek(node) }

  remoteOfTunnel (iface: string): string | null {
    const cached = this.tunnelCache.get(iface)
    if (cached !== undefined) return cached
    const m = TUNNEL_RE.exec(iface)
    let found: string | null = null
    if (m !== null) {
      const prefix = m[1] as string
      for (const [chassis, node] of this.chassisToNode.entries()) {
        if (chassis.startsWith(prefix)) { found = node; break }
      }
      if (found === null) {
        for (const node of this.nodes.keys()) {
          if (node.startsWith(prefix)) { found = node; break }
        }
      }
    }
    if (this.tunnelCache.size > 4096) this.tunnelCache.clear()
    this.tunnelCache.set(iface, found)
    return found
  }

  seen (node: string): void {
    if (this.nodes.peek(node) === undefined) { this.nodes.add(node, true); this.tunnelCache.clear() }
  }

  chassisMap (): Record<string, string> { return Object.fromEntries(this.chassisToNode.entries()) }

  evictions (): number { return this.chassisToNode.evictions + this.nodes.evictions }
}

export function createContext (opts: ResolvedDetectorOptions, lc: Lifecycle): DetectContext {
  return new ContextImpl(opts, lc)
}

/** The context as a class: methods on the prototype, shared by every detector; state in fields. */
class ContextImpl implements DetectContext {
  readonly opts: ResolvedDetectorOptions
  readonly lc: Lifecycle
  watermark = -Infinity
  readonly nodes: NodeRegistry
  // Gateway ports are preferred: VIF re-claims through if-status were not throttled before 23.03.3 (§3.2).
  private readonly gwSamples: number[] = []
  private readonly allSamples: number[] = []
  private readonly next = { gw: 0, all: 0 }
  private dirty = true
  private newSince = 0
  private computedAt = -Infinity
  private cached: ThrottleView

  constructor (opts: ResolvedDetectorOptions, lc: Lifecycle) {
    this.opts = opts
    this.lc = lc
    this.nodes = createNodeRegistry(opts.maxTrackedNodes)
    this.cached = { regime: opts.regime ?? FALLBACK_REGIME, floorMs: null, inferred: opts.regime === null, samples: 0 }
  }

  addReclaimSample (ms: number, gateway: boolean): void {
    if (gateway) {
      if (this.gwSamples.length < RECLAIM_SAMPLES) this.gwSamples.push(ms)
      else { this.gwSamples[this.next.gw] = ms; this.next.gw = (this.next.gw + 1) % RECLAIM_SAMPLES }
    }
    if (this.allSamples.length < RECLAIM_SAMPLES) this.allSamples.push(ms)
    else { this.allSamples[this.next.all] = ms; this.next.all = (this.next.all + 1) % RECLAIM_SAMPLES }
    this.dirty = true
    this.newSince++
  }

  throttle (): ThrottleView {
    const opts = this.opts
    // Sorting 256 samples on every claim would dominate push(): once warmed up, refresh after 64 new samples and 5 s of event time.
    const samples = this.gwSamples.length >= opts.throttleInferMinSamples ? this.gwSamples : this.allSamples
    if (!this.dirty || (samples.length > 32 && (this.newSince < 64 || this.watermark - this.computedAt < 5000))) return this.cached
    this.computedAt = this.watermark
    this.dirty = false
    this.newSince = 0
    const inferred = inferRegime(samples, opts.throttleInferMinSamples)
    const floorMs = samples.length === 0 ? null : samples.reduce((a, b) => Math.min(a, b))
    if (opts.regime !== null) this.cached = { regime: opts.regime, floorMs, inferred: false, samples: samples.length }
    else this.cached = { regime: inferred?.regime ?? FALLBACK_REGIME, floorMs, inferred: true, samples: samples.length }
    return this.cached
  }

  stormMinSpanMs (): number {
    return Math.max(this.opts.stormMinSpanMs, 3 * THROTTLE_INTERVAL_MS[this.throttle().regime])
  }

  stormMaxGapMs (): number {
    return Math.max(this.opts.stormMaxGapMs, 2 * THROTTLE_INTERVAL_MS[this.throttle().regime])
  }
}
