// Small formatters shared by the terminal summary and the HTML report.

/** `2026-11-22T07:45:53.497Z` → `07:45:53`. */
export function clock (ms: number, withMs = false): string {
  const iso = new Date(ms).toISOString()
  return withMs ? iso.slice(11, 23) : iso.slice(11, 19)
}

/** `2026-11-22 07:45:53Z`. */
export function dateTime (ms: number): string {
  const iso = new Date(ms).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`
}

/** True when both instants fall on the same UTC day. */
export function sameDay (a: number, b: number): boolean {
  return new Date(a).toISOString().slice(0, 10) === new Date(b).toISOString().slice(0, 10)
}

/** `850ms`, `21.0s`, `3m12s`, `1h02m`, `2d03h`. */
export function duration (ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-'
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`
  const s = Math.round(ms / 1000)
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  const m = Math.round(s / 60)
  if (m < 24 * 60) return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
  const h = Math.round(m / 60)
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`
}

/** `1.2 KB`, `3.4 MB`, `1.0 GB` (decimal units, as `ls -h --si`). */
export function bytes (n: number): string {
  if (n < 1000) return `${n} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = n
  let i = -1
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++ }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i] ?? 'TB'}`
}

/** `1,234,567`. */
export function count (n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** A rate with two significant decimals at most: `4.1`, `0.53`, `120`. */
export function rate (n: number): string {
  if (n >= 100) return n.toFixed(0)
  if (n >= 10) return n.toFixed(1)
  if (n >= 1) return n.toFixed(1)
  return n.toFixed(2)
}

/** Long lport names keep their head and tail: `cr-lrp-83cee638-…-1616db71fa90`. */
export function shorten (s: string, max: number): string {
  if (s.length <= max) return s
  const keep = max - 1
  const head = Math.ceil(keep * 0.6)
  return `${s.slice(0, head)}…${s.slice(s.length - (keep - head))}`
}
