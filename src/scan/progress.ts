// Progress on stderr while a large scan runs: bytes read of total, lines/s, elapsed. Shown only on
// a terminal and only for large inputs; the clock is injected so the formatting is testable.
import { bytes, count, duration } from './format.js'

export interface ProgressState {
  bytesRead: number
  bytesTotal: number
  lines: number
  elapsedMs: number
}

/** `scan: 412 MB of 1.0 GB (41%) · 2,104,331 lines/s · 12.4s`. */
export function formatProgress (s: ProgressState): string {
  const pct = s.bytesTotal > 0 ? Math.min(100, Math.floor((s.bytesRead / s.bytesTotal) * 100)) : 0
  const lps = s.elapsedMs > 0 ? (s.lines * 1000) / s.elapsedMs : 0
  return `scan: ${bytes(s.bytesRead)} of ${bytes(s.bytesTotal)} (${pct}%) · ${count(lps)} lines/s · ${duration(s.elapsedMs)}`
}

export interface ProgressReporterOptions {
  write: (s: string) => void
  /** Monotonic clock in ms. */
  nowMs: () => number
  /**
   * Least time between two redraws.
   * @default 200
   */
  intervalMs?: number
}

export interface ProgressReporter {
  update: (bytesRead: number, lines: number) => void
  /** Clears the progress line. */
  done: () => void
}

/** Redraws one status line in place (`\r` + erase to end of line). */
export function createProgressReporter (bytesTotal: number, options: ProgressReporterOptions): ProgressReporter {
  const interval = options.intervalMs ?? 200
  const start = options.nowMs()
  let last = -Infinity
  let shown = false
  return {
    update (bytesRead, lines) {
      const now = options.nowMs()
      if (now - last < interval) return
      last = now
      shown = true
      options.write(`\r${formatProgress({ bytesRead, bytesTotal, lines, elapsedMs: now - start })}\u001b[K`)
    },
    done () {
      if (shown) options.write('\r\u001b[K')
      shown = false
    }
  }
}

/** A reporter that prints nothing (not a terminal, small input, or --quiet). */
export const silentProgress: ProgressReporter = { update () {}, done () {} }
