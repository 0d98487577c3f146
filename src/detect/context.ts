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
  const chassisToNode = new Lru<string, string>(maxNodes)
  const nodeToChassis = new Lru<string, string>(maxNodes)
  const nodes = new Lru<string, true>(maxNodes)
  const tunnelCache = new Map<string, string | null>()
  // The few chassis of a storm come back on every claim: their node, and the pairs already learned, are kept in
  // small lists (mostly identity checks) in front of the maps, dropped whenever a mapping changes.
  let learned = new SmallMap<string>()
  let recentNodeOf = new SmallMap<string>()
  return {
    learn (node, chassis) {
      if (learned.get(chassis) === node) return
      if (chassisToNode.peek(chassis) !== node) {
        chassisToNode.add(chassis, node)
        nodeToChassis.add(node, chassis)
        tunnelCache.clear()
        learned = new SmallMap()
        recentNodeOf = new SmallMap()
      }
      if (learned.size < 8) learned.set(chassis, node)
    },
    nodeOf (chassis) {
      const cached = recentNodeOf.get(chassis)
      if (cached !== undefined) return cached
      const node = chassisToNode.peek(chassis) ?? chassis
      if (recentNodeOf.size < 8) recentNodeOf.set(chassis, node)
      return node
    },
    chassisOf: (node) => nodeToChassis.peek(node),
    remoteOfTunnel (iface) {
      const cached = tunnelCache.get(iface)
      if (cached !== undefined) return cached
      const m = TUNNEL_RE.exec(iface)
      let found: string | null = null
      if (m !== null) {
        const prefix = m[1] as string
        for (const [chassis, node] of chassisToNode.entries()) {
          if (chassis.startsWith(prefix)) { found = node; break }
        }
        if (found === null) {
          for (const node of nodes.keys()) {
            if (node.startsWith(prefix)) { found = node; break }
          }
        }
      }
      if (tunnelCache.size > 4096) tunnelCache.clear()
      tunnelCache.set(iface, found)
      return found
    },
    seen (node) {
      if (nodes.peek(node) === undefined) { nodes.add(node, true); tunnelCache.clear() }
    },
    chassisMap: () => Object.fromEntries(chassisToNode.entries()),
    evictions: () => chassisToNode.evictions + nodes.evictions
  }
}

export function createContext (opts: ResolvedDetectorOptions, lc: Lifecycle): DetectContext {
  // Gateway ports are preferred: VIF re-claims through if-status were not throttled before 23.03.3 (§3.2).
  const gwSamples: number[] = []
  const allSamples: number[] = []
  const next = { gw: 0, all: 0 }
  let dirty = true
  let newSince = 0
  let computedAt = -Infinity
  let cached: ThrottleView = { regime: opts.regime ?? FALLBACK_REGIME, floorMs: null, inferred: opts.regime === null, samples: 0 }
  const ctx: DetectContext = {
    opts,
    lc,
    watermark: -Infinity,
    nodes: createNodeRegistry(opts.maxTrackedNodes),
    addReclaimSample (ms, gateway) {
      if (gateway) {
        if (gwSamples.length < RECLAIM_SAMPLES) gwSamples.push(ms)
        else { gwSamples[next.gw] = ms; next.gw = (next.gw + 1) % RECLAIM_SAMPLES }
      }
      if (allSamples.length < RECLAIM_SAMPLES) allSamples.push(ms)
      else { allSamples[next.all] = ms; next.all = (next.all + 1) % RECLAIM_SAMPLES }
      dirty = true
      newSince++
    },
    throttle () {
      // Sorting 256 samples on every claim would dominate push(): once warmed up, refresh after 64 new samples and 5 s of event time.
      const samples = gwSamples.length >= opts.throttleInferMinSamples ? gwSamples : allSamples
      if (!dirty || (samples.length > 32 && (newSince < 64 || ctx.watermark - computedAt < 5000))) return cached
      computedAt = ctx.watermark
      dirty = false
      newSince = 0
      const inferred = inferRegime(samples, opts.throttleInferMinSamples)
      const floorMs = samples.length === 0 ? null : samples.reduce((a, b) => Math.min(a, b))
      if (opts.regime !== null) cached = { regime: opts.regime, floorMs, inferred: false, samples: samples.length }
      else cached = { regime: inferred?.regime ?? FALLBACK_REGIME, floorMs, inferred: true, samples: samples.length }
      return cached
    },
    stormMinSpanMs () {
      return Math.max(opts.stormMinSpanMs, 3 * THROTTLE_INTERVAL_MS[ctx.throttle().regime])
    },
    stormMaxGapMs () {
      return Math.max(opts.stormMaxGapMs, 2 * THROTTLE_INTERVAL_MS[ctx.throttle().regime])
    }
  }
  return ctx
}
