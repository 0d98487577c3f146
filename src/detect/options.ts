// Detector options: every threshold with its unit in the name, validated once.
import { StormError } from '../errors.js'
import type { ThrottleRegime } from '../types.js'
import { regimeForVersion } from './throttle.js'

export interface DetectorOptions {
  /**
   * OVN version of the chassis (e.g. `"23.03.1"`): sets the throttle regime. Ignored when `throttleRegime` is set.
   * @default undefined (regime inferred from the logs)
   */
  ovnVersion?: string
  /**
   * OVN's per-port-per-chassis re-claim throttle: `none` (< 22.09), `500ms` (22.09 – 24.03.6), `2s` (24.03.7+, 25.03.2+, 25.09+).
   * @default undefined (from `ovnVersion`, else inferred from the observed minimum re-claim interval)
   */
  throttleRegime?: ThrottleRegime
  /**
   * How far behind the newest event time an event may arrive and still count (lines from several nodes arrive interleaved).
   * Older events are counted in `stats.late` and dropped.
   * @default 5000
   */
  allowedLatenessMs: number
  /**
   * A condition resolves after this much event time without new evidence.
   * @default 15000
   */
  quietMs: number
  /**
   * At most one `update` per open condition per this much event time.
   * @default 10000
   */
  updateIntervalMs: number
  /**
   * Sliding window over which hand-offs of one port are counted.
   * @default 30000
   */
  stormWindowMs: number
  /**
   * Hand-offs (owner changes between chassis) of one port within `stormWindowMs` needed for a claim storm.
   * @default 6
   */
  stormMinHandoffs: number
  /**
   * The contention must last at least this long (first to last hand-off in the window), so a failback tug of 1–2 s
   * is not a storm. Raised to 3 × the throttle interval when that is longer.
   * @default 3000
   */
  stormMinSpanMs: number
  /**
   * Acts of a port further apart than this are separate episodes. A storm is one episode with enough hand-offs (a
   * fight), or hand-offs in three episodes or more (a port moved away and back again and again), so a failover
   * and, seconds later, a short failback tug are not a storm. Raised to 2 × the throttle interval when longer.
   * @default 5000
   */
  stormMaxGapMs: number
  /**
   * Window for a single chassis' claim/release loop on one port.
   * @default 60000
   */
  flapWindowMs: number
  /**
   * Claim + release cycles of one port by one chassis (and no other claimant) within `flapWindowMs` for a port flap.
   * @default 4
   */
  flapMinCycles: number
  /**
   * Window of the Southbound claim-load rate (all ports together).
   * @default 10000
   */
  loadWindowMs: number
  /**
   * Claim commits per second of re-claimed ports (claimed more than once in the window) for a claim-load signal.
   * @default 3
   */
  loadMinClaimsPerSec: number
  /**
   * Re-claimed ports needed for a claim-load signal.
   * @default 3
   */
  loadMinPorts: number
  /**
   * Seconds of the window that must see re-claims, so a one-second mass failover is not load.
   * @default 5
   */
  loadMinBusySeconds: number
  /**
   * Claim-load turns critical at this peak rate (claims per second, all ports).
   * @default 15
   */
  loadCriticalClaimsPerSec: number
  /**
   * Window for ofport re-adds of one interface.
   * @default 600000
   */
  leakWindowMs: number
  /**
   * Re-adds of one interface with climbing OpenFlow port numbers within `leakWindowMs` for an ofport leak.
   * @default 10
   */
  leakMinReadds: number
  /**
   * `failed to add X as port: Device or resource busy` lines of one interface within `leakWindowMs` for an ofport leak.
   * @default 5
   */
  leakMinBusyErrors: number
  /**
   * Window in which BFD sessions of one node going down count as one mass-down.
   * @default 10000
   */
  bfdWindowMs: number
  /**
   * Sessions going down on one node within `bfdWindowMs` (logged plus estimated hidden) for a bfd-mass-down.
   * @default 3
   */
  bfdMinTunnels: number
  /**
   * How long before a storm BFD downs are still cited as evidence for its suspects.
   * @default 30000
   */
  bfdEvidenceLookbackMs: number
  /**
   * Contested re-claim intervals needed before the throttle regime is inferred.
   * @default 8
   */
  throttleInferMinSamples: number
  /**
   * Logical ports tracked at once; the least recently active is evicted (counted in `stats.evictions.ports`).
   * At most 10 000 000: a port seen once takes ~55 bytes, reserved up front (resident only once used).
   * @default 10000
   */
  maxTrackedPorts: number
  /**
   * Nodes tracked at once (BFD, chassis map).
   * @default 1000
   */
  maxTrackedNodes: number
  /**
   * Interfaces tracked at once for ofport leaks.
   * @default 10000
   */
  maxTrackedIfaces: number
  /**
   * Claim acts kept per port (window evidence).
   * @default 512
   */
  maxActsPerPort: number
  /**
   * Line fingerprints kept to drop duplicated lines within the lateness allowance.
   * @default 100000
   */
  maxDedupeEntries: number
  /**
   * Open conditions at once; beyond this new ones are not opened (counted in `stats.evictions.signals`).
   * @default 1000
   */
  maxOpenSignals: number
}

export type ResolvedDetectorOptions = Readonly<DetectorOptions & { regime: ThrottleRegime | null }>

export const DEFAULT_DETECTOR_OPTIONS: Readonly<DetectorOptions> = Object.freeze({
  allowedLatenessMs: 5000,
  quietMs: 15000,
  updateIntervalMs: 10000,
  stormWindowMs: 30000,
  stormMinHandoffs: 6,
  stormMinSpanMs: 3000,
  stormMaxGapMs: 5000,
  flapWindowMs: 60000,
  flapMinCycles: 4,
  loadWindowMs: 10000,
  loadMinClaimsPerSec: 3,
  loadMinPorts: 3,
  loadMinBusySeconds: 5,
  loadCriticalClaimsPerSec: 15,
  leakWindowMs: 600000,
  leakMinReadds: 10,
  leakMinBusyErrors: 5,
  bfdWindowMs: 10000,
  bfdMinTunnels: 3,
  bfdEvidenceLookbackMs: 30000,
  throttleInferMinSamples: 8,
  maxTrackedPorts: 10000,
  maxTrackedNodes: 1000,
  maxTrackedIfaces: 10000,
  maxActsPerPort: 512,
  maxDedupeEntries: 100000,
  maxOpenSignals: 1000
})

/** The packed one-act port table reserves its slots up front (src/detect/first-acts.ts). */
const MAX_TRACKED_PORTS = 10_000_000
const REGIMES: readonly string[] = ['none', '500ms', '2s']
/** Options that may be 0 (the rest must be ≥ 1). */
const ZERO_OK = new Set(['allowedLatenessMs'])

/** Merges `options` over the defaults and validates every field; a bad value throws `StormError('E_CONFIG')`. */
export function resolveDetectorOptions (options: Partial<DetectorOptions> = {}): ResolvedDetectorOptions {
  if (typeof options !== 'object' || options === null) throw new StormError('E_CONFIG', 'detector options must be an object')
  const known = new Set([...Object.keys(DEFAULT_DETECTOR_OPTIONS), 'ovnVersion', 'throttleRegime'])
  for (const k of Object.keys(options)) {
    if (!known.has(k)) throw new StormError('E_CONFIG', `unknown detector option "${k}"`)
  }
  const merged: DetectorOptions = { ...DEFAULT_DETECTOR_OPTIONS }
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) continue
    ;(merged as unknown as Record<string, unknown>)[k] = v
  }
  for (const k of Object.keys(DEFAULT_DETECTOR_OPTIONS)) {
    const v = (merged as unknown as Record<string, unknown>)[k]
    const min = ZERO_OK.has(k) ? 0 : 1
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
      throw new StormError('E_CONFIG', `detector option ${k} must be a finite number ≥ ${min}, got ${String(v)}`)
    }
  }
  if (merged.stormMinHandoffs < 2) throw new StormError('E_CONFIG', 'detector option stormMinHandoffs must be ≥ 2')
  if (merged.maxTrackedPorts > MAX_TRACKED_PORTS) throw new StormError('E_CONFIG', `detector option maxTrackedPorts must be ≤ ${MAX_TRACKED_PORTS}`)
  if (merged.flapMinCycles < 2) throw new StormError('E_CONFIG', 'detector option flapMinCycles must be ≥ 2')
  if (merged.loadMinBusySeconds * 1000 > merged.loadWindowMs) {
    throw new StormError('E_CONFIG', 'detector option loadMinBusySeconds must fit in loadWindowMs')
  }
  let regime: ThrottleRegime | null = null
  if (merged.throttleRegime !== undefined) {
    if (!REGIMES.includes(merged.throttleRegime)) {
      throw new StormError('E_CONFIG', `detector option throttleRegime must be one of ${REGIMES.join(', ')}, got ${String(merged.throttleRegime)}`)
    }
    regime = merged.throttleRegime
  } else if (merged.ovnVersion !== undefined) {
    if (typeof merged.ovnVersion !== 'string') throw new StormError('E_CONFIG', 'detector option ovnVersion must be a string')
    regime = regimeForVersion(merged.ovnVersion)
    if (regime === null) throw new StormError('E_CONFIG', `detector option ovnVersion is not an OVN version: "${merged.ovnVersion}"`)
  }
  // Copied over the defaults first: the same keys in the same order, and one hidden class for every detector's
  // options (a copy of `merged` alone, after the checks above read it key by key, gets a new one every time,
  // and the rules reading the options on every event would be deoptimized by each new detector).
  return Object.freeze({ ...DEFAULT_DETECTOR_OPTIONS, ...merged, regime })
}
