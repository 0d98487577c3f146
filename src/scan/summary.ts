// The terminal summary: what was read (and which node each file was given), one row per alert,
// the baseline comparison when asked, and the one-line verdict last so it is what stays on screen.
import type { AlertRow, ScanReport } from './model.js'
import { bytes, clock, count, dateTime, duration, rate, sameDay, shorten } from './format.js'

export interface SummaryOptions {
  /** ANSI colours (stdout is a terminal). @default false */
  color?: boolean
  /** Files listed one by one up to this many; more are grouped per node. @default 24 */
  maxFilesListed?: number
  /** Widest subject column before long names are shortened in the middle. @default 46 */
  subjectWidth?: number
}

const ANSI = { red: '\u001b[31m', yellow: '\u001b[33m', green: '\u001b[32m', bold: '\u001b[1m', dim: '\u001b[2m', reset: '\u001b[0m' }

// Log text is untrusted: never let it move the cursor or recolour the terminal.
function clean (s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?')
}

function table (header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()
  return [line(header), ...rows.map(line)]
}

function suspectsCell (r: AlertRow): string {
  if (r.kind !== 'claim-storm') return '-'
  if (r.undetermined) return r.suspects.length > 0 ? `${r.suspects.map((s) => s.node).join(' ~ ')} (undetermined)` : 'undetermined'
  return r.suspects.length === 0 ? '-' : r.suspects.map((s) => s.node).join(' > ')
}

/** Renders the summary as lines (no trailing newline). */
export function renderSummary (report: ScanReport, options: SummaryOptions = {}): string {
  const color = options.color ?? false
  const maxFiles = options.maxFilesListed ?? 24
  const subjectWidth = options.subjectWidth ?? 46
  const paint = (code: string, s: string): string => (color ? `${code}${s}${ANSI.reset}` : s)
  const out: string[] = []
  const t = report.totals
  const span = report.firstMs !== null && report.lastMs !== null
    ? `, ${dateTime(report.firstMs)} – ${sameDay(report.firstMs, report.lastMs) ? `${clock(report.lastMs)}Z` : dateTime(report.lastMs)}`
    : ''
  out.push(`claimstorm scan: ${count(t.files)} file${t.files === 1 ? '' : 's'} (${bytes(t.bytes)}) from ${count(report.nodes.length)} node${report.nodes.length === 1 ? '' : 's'}, ` +
    `${count(t.lines)} lines (${count(t.events)} events, ${count(t.unparsed)} unparsed)${span}`)
  if (t.outsideWindow > 0) out.push(`  ${count(t.outsideWindow)} events outside --since/--until left out`)

  out.push('', 'Files and the node each was given:')
  const files = report.files
  if (files.length <= maxFiles) {
    const rows = files.map((f) => {
      const extra = f.recordNodes.length > 0 ? `; records name ${f.recordNodes.map(clean).join(', ')}` : ''
      const status = f.status === 'ok' ? `${count(f.lines)} lines` : f.status
      return [clean(f.node), clean(f.path), `(${f.nodeFrom}${extra})`, status]
    })
    for (const l of table(['NODE', 'FILE', 'FROM', 'READ'], rows)) out.push(`  ${l}`)
  } else {
    const byNode = new Map<string, typeof files>()
    for (const f of files) byNode.set(f.node, [...(byNode.get(f.node) ?? []), f])
    const rows = [...byNode].map(([node, fs]) => [clean(node), `${fs.length} files, e.g. ${clean(fs[0]?.path ?? '')}`, `(${fs[0]?.nodeFrom ?? ''})`, `${count(fs.reduce((a, f) => a + f.lines, 0))} lines`])
    for (const l of table(['NODE', 'FILES', 'FROM', 'READ'], rows)) out.push(`  ${l}`)
  }
  for (const i of report.issues) out.push(`  ! ${clean(i.message)}`)

  out.push('')
  if (report.alerts.length === 0) {
    out.push('Alerts: none')
  } else {
    out.push('Alerts:')
    const oneDay = report.firstMs !== null && report.lastMs !== null && sameDay(report.firstMs, report.lastMs)
    const rows = report.alerts.map((r) => [
      r.severity.toUpperCase(),
      r.kind,
      shorten(clean(r.subject), subjectWidth),
      r.nodes.map(clean).join(','),
      clean(suspectsCell(r)),
      oneDay ? clock(r.startMs) : dateTime(r.startMs),
      `${duration(r.endMs - r.startMs)}${r.resolved ? '' : '+'}`,
      r.peakRate === null ? '-' : `${rate(r.peakRate)} ${r.rateUnit}`
    ])
    const lines = table(['SEVERITY', 'KIND', 'SUBJECT', 'NODES', 'SUSPECTS', oneDay ? 'START (UTC)' : 'START', 'DURATION', 'PEAK'], rows)
    out.push(`  ${lines[0] ?? ''}`)
    lines.slice(1).forEach((l, i) => {
      const sev = report.alerts[i]?.severity
      out.push(`  ${sev === 'critical' ? paint(ANSI.red, l) : sev === 'warning' ? paint(ANSI.yellow, l) : l}`)
    })
    if (report.alerts.some((r) => !r.resolved)) out.push('  (+ still open when the input ended)')
  }

  const b = report.baseline
  if (b !== undefined) {
    out.push('', `Baseline: today's rule ${b.rule}, per node:`)
    if (b.firings.length === 0) out.push('  would have stayed silent on every node')
    for (const f of b.firings) {
      out.push(`  would have fired on ${clean(f.node)} ${clock(f.startMs)}–${clock(f.endMs)}Z (peak ${rate(f.peakPerSec)} lines/s)`)
    }
    if (b.silentNodes.length > 0 && b.firings.length > 0) out.push(`  silent on ${b.silentNodes.map(clean).join(', ')}`)
    for (const d of b.differences) out.push(`  ≠ ${clean(d)}`)
    out.push(`  claimstorm: ${report.verdict.level.toUpperCase()}`)
  }

  const v = report.verdict
  out.push('', v.level === 'critical' ? paint(ANSI.bold + ANSI.red, clean(v.text)) : v.level === 'warning' ? paint(ANSI.bold + ANSI.yellow, clean(v.text)) : paint(ANSI.green, clean(v.text)))
  return out.join('\n')
}
