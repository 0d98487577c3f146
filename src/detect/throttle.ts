// OVN's per-port-per-chassis re-claim throttle (catalog §3): which regime a deployment runs, stated or
// inferred from how often one chassis re-takes the same contested port.
import type { ThrottleRegime } from '../types.js'

/** The postpone threshold of each regime, in ms (`none` has no floor). */
export const THROTTLE_INTERVAL_MS: Readonly<Record<ThrottleRegime, number>> = { none: 0, '500ms': 500, '2s': 2000 }

/**
 * The regime of an OVN release (`"23.03.1"`, `"v24.03.7"`, `"25.09"`), or null when the text is not a version.
 * ≤ 22.03.1 / 22.06.0 / 20.x / 21.x: none; 22.03.2+, 22.06.1+, 22.09 – 24.03.6, 24.09.x, 25.03.0–25.03.1: 500 ms;
 * 24.03.7+, 25.03.2+, 25.09+: 2 s.
 */
export function regimeForVersion (version: string): ThrottleRegime | null {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim())
  if (m === null) return null
  const major = Number(m[1])
  const minor = Number(m[2])
  const patch = m[3] === undefined ? 0 : Number(m[3])
  const v = major * 10000 + minor * 100 + patch
  if (v < 220302) return 'none'
  if (major === 22 && minor === 6 && patch === 0) return 'none'
  if (major === 24 && minor === 3) return patch >= 7 ? '2s' : '500ms'
  if (major === 25 && minor === 3) return patch >= 2 ? '2s' : '500ms'
  if (v >= 250900) return '2s'
  return '500ms'
}

/** Intervals above this are not re-claims of one fight but separate episodes. */
export const RECLAIM_SAMPLE_MAX_MS = 10_000

/** `inferRegime`'s sorting space, reused. */
let scratch = new Float64Array(256)

/**
 * Infers the regime from contested re-claim intervals (same port, same chassis, ms). The throttle is a hard floor,
 * so a low percentile of the intervals sits just above it: ~0.5 s, ~2 s, or far below 0.5 s without throttle.
 * A low percentile rather than the minimum, because a few re-claims bypass the throttle (if-status path, §3.2).
 */
export function inferRegime (intervalsMs: readonly number[], minSamples: number): { regime: ThrottleRegime, floorMs: number } | null {
  if (intervalsMs.length < minSamples || intervalsMs.length === 0) return null
  // A typed array sorts numerically without a comparator call per comparison; one scratch array, reused (the
  // samples are re-ranked every few seconds of event time), leaves no garbage.
  if (scratch.length < intervalsMs.length) scratch = new Float64Array(Math.max(intervalsMs.length, scratch.length * 2))
  const sorted = scratch.subarray(0, intervalsMs.length)
  sorted.set(intervalsMs)
  sorted.sort()
  const floorMs = sorted[Math.floor((sorted.length - 1) * 0.1)] ?? 0
  if (floorMs >= 1800) return { regime: '2s', floorMs }
  if (floorMs >= 450) return { regime: '500ms', floorMs }
  return { regime: 'none', floorMs }
}

