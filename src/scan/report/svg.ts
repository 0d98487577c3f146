// Plots for the HTML report, drawn from the data: one claim timeline per stormed port (one lane
// per node, every claim a tick, BFD changes marked) and OpenFlow port numbers over time per node.
// Every string that came from a log goes through `esc`.
import type { AlertRow, BfdPoint, ClaimPoint, OfportPoint, PortTimeline } from '../model.js'
import { clock, duration } from '../format.js'

export function esc (s: string): string {
  return s.replace(/[&<>"'\u2028\u2029]/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** Nine distinguishable colours, no red (red marks BFD going down); nodes keep theirs across every plot of a report. */
export const NODE_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22']

export function nodeColor (nodes: readonly string[], node: string): string {
  const i = nodes.indexOf(node)
  return NODE_COLORS[(i < 0 ? 0 : i) % NODE_COLORS.length] ?? '#333'
}

const TICK_STEPS_MS = [
  100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
  3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000
]

/** Round-number time ticks, about `target` of them, within [t0, t1]. */
export function timeTicks (t0: number, t1: number, target = 8): number[] {
  const span = Math.max(1, t1 - t0)
  const step = TICK_STEPS_MS.find((s) => span / s <= target) ?? 86_400_000
  const out: number[] = []
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) out.push(t)
  return out
}

function tickLabel (t: number, stepMs: number): string {
  return stepMs < 1000 ? clock(t, true) : clock(t)
}

interface Frame {
  x: (t: number) => number
  t0: number
  t1: number
  left: number
  right: number
}

function frame (t0: number, t1: number, left: number, width: number, right: number): Frame {
  const span = Math.max(1, t1 - t0)
  const inner = width - left - right
  return { x: (t) => left + ((t - t0) / span) * inner, t0, t1, left, right: width - right }
}

function axis (f: Frame, y: number, gridTop: number): string {
  const ticks = timeTicks(f.t0, f.t1)
  const step = ticks.length > 1 ? (ticks[1] ?? 0) - (ticks[0] ?? 0) : 1000
  const parts = [`<line class="axis" x1="${f.left}" y1="${y}" x2="${f.right}" y2="${y}"/>`]
  for (const t of ticks) {
    const x = f.x(t).toFixed(1)
    parts.push(`<line class="grid" x1="${x}" y1="${gridTop}" x2="${x}" y2="${y}"/>`)
    parts.push(`<text class="tick" x="${x}" y="${y + 16}" text-anchor="middle">${esc(tickLabel(t, step))}</text>`)
  }
  return parts.join('')
}

const ACT_WORD: Record<ClaimPoint['act'], string> = { claim: 'claimed (unbound)', change: 'took it', release: 'released' }

export interface TimelineInput {
  timeline: PortTimeline
  /** Alert rows about this port (storm, flap), for the shaded span and the lane order. */
  rows: AlertRow[]
  bfd: readonly BfdPoint[]
  /** Every node of the report, for stable colours. */
  allNodes: readonly string[]
  /** @default 1040 */
  widthPx?: number
}

/** One lane per node that claimed the port (suspects first); ticks for claims, triangles for BFD changes. */
export function claimTimelineSvg (input: TimelineInput): { svg: string; lanes: string[]; hidden: number } {
  const width = input.widthPx ?? 1040
  const { timeline, rows } = input
  const start = Math.min(...rows.map((r) => r.startMs))
  const end = Math.max(...rows.map((r) => r.endMs))
  const pad = Math.max(3000, (end - start) * 0.12)
  const t0 = start - pad
  const t1 = end + pad
  const inRange = (t: number): boolean => t >= t0 && t <= t1
  const points = timeline.points.filter((p) => inRange(p.tMs))
  const hidden = timeline.points.length - points.length

  const ranked: string[] = []
  for (const r of rows) for (const s of r.suspects) if (!ranked.includes(s.node)) ranked.push(s.node)
  const claimers = [...new Set(points.map((p) => p.node))].sort()
  const lanes = [...ranked.filter((n) => claimers.includes(n)), ...claimers.filter((n) => !ranked.includes(n))]
  for (const r of rows) for (const n of r.nodes) if (!lanes.includes(n)) lanes.push(n)

  const laneH = 36
  const top = 8
  const left = 96
  const f = frame(t0, t1, left, width, 16)
  const axisY = top + lanes.length * laneH + 6
  const height = axisY + 24
  const parts: string[] = []
  parts.push(`<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="claims of ${esc(timeline.lport)} per node">`)
  for (const r of rows) {
    const x0 = f.x(r.startMs)
    const x1 = Math.max(x0 + 2, f.x(r.endMs))
    parts.push(`<rect class="span span-${esc(r.severity)}" x="${x0.toFixed(1)}" y="${top}" width="${(x1 - x0).toFixed(1)}" height="${lanes.length * laneH}"><title>${esc(`${r.kind} ${clock(r.startMs)}–${clock(r.endMs)}Z (${duration(r.endMs - r.startMs)})`)}</title></rect>`)
  }
  parts.push(axis(f, axisY, top))
  lanes.forEach((node, i) => {
    const y = top + i * laneH
    const mid = y + laneH / 2
    const color = nodeColor(input.allNodes, node)
    const suspectRank = ranked.indexOf(node)
    parts.push(`<g class="lane" data-node="${esc(node)}">`)
    parts.push(`<line class="lane-line" x1="${left}" y1="${mid}" x2="${f.right}" y2="${mid}"/>`)
    parts.push(`<text class="lane-label" x="${left - 8}" y="${mid + 4}" text-anchor="end" fill="${color}">${esc(node)}${suspectRank === 0 ? ' ★' : ''}</text>`)
    for (const p of points) {
      if (p.node !== node) continue
      const x = f.x(p.tMs).toFixed(1)
      const tip = `${clock(p.tMs, true)}Z ${node} ${ACT_WORD[p.act]}${p.from !== undefined ? ` from ${p.from}` : ''}`
      const h = p.act === 'release' ? 8 : 12
      parts.push(`<rect class="claim claim-${p.act}" x="${(Number(x) - 1.1).toFixed(1)}" y="${mid - h}" width="2.2" height="${2 * h}" fill="${p.act === 'release' ? '#999' : color}"><title>${esc(tip)}</title></rect>`)
    }
    for (const b of input.bfd) {
      if (b.node !== node || !inRange(b.tMs)) continue
      const x = f.x(b.tMs)
      const down = b.to === 'down' || b.to === 'admin_down'
      const yb = y + laneH - 3
      const tri = down
        ? `${(x - 4).toFixed(1)},${yb - 7} ${(x + 4).toFixed(1)},${yb - 7} ${x.toFixed(1)},${yb}`
        : `${(x - 4).toFixed(1)},${yb} ${(x + 4).toFixed(1)},${yb} ${x.toFixed(1)},${yb - 7}`
      parts.push(`<polygon class="bfd bfd-${down ? 'down' : 'up'}" points="${tri}"><title>${esc(`${clock(b.tMs, true)}Z ${node} BFD ${b.iface}: ${b.from} → ${b.to}`)}</title></polygon>`)
    }
    parts.push('</g>')
  })
  parts.push('</svg>')
  return { svg: parts.join(''), lanes, hidden }
}

export interface OfportInput {
  points: readonly OfportPoint[]
  allNodes: readonly string[]
  /** @default 1040 */
  widthPx?: number
}

/** OpenFlow port numbers over time: a dot per `added interface … on port N`, a line per interface, coloured by node. */
export function ofportSvg (input: OfportInput): string {
  const width = input.widthPx ?? 1040
  const height = 260
  const pts = input.points
  if (pts.length === 0) return ''
  let t0 = Infinity
  let t1 = -Infinity
  let maxPort = 1
  for (const p of pts) {
    t0 = Math.min(t0, p.tMs)
    t1 = Math.max(t1, p.tMs)
    maxPort = Math.max(maxPort, p.ofport)
  }
  const pad = Math.max(1000, (t1 - t0) * 0.03)
  const f = frame(t0 - pad, t1 + pad, 64, width, 16)
  const top = 10
  const bottom = height - 30
  const yMax = maxPort >= 30000 ? 65535 : Math.ceil((maxPort * 1.15) / 10) * 10
  const y = (v: number): number => bottom - (v / yMax) * (bottom - top)
  const parts: string[] = [`<svg class="ofports" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="OpenFlow port numbers over time per node">`]
  for (const v of [0, yMax / 4, yMax / 2, (3 * yMax) / 4, yMax]) {
    const yy = y(v).toFixed(1)
    parts.push(`<line class="grid" x1="${f.left}" y1="${yy}" x2="${f.right}" y2="${yy}"/><text class="tick" x="${f.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Math.round(v)}</text>`)
  }
  if (yMax === 65535) parts.push(`<line class="limit" x1="${f.left}" y1="${y(32767).toFixed(1)}" x2="${f.right}" y2="${y(32767).toFixed(1)}"><title>32767: last automatic OpenFlow port number</title></line>`)
  parts.push(axis(f, bottom, top))
  const series = new Map<string, OfportPoint[]>()
  for (const p of pts) {
    const k = `${p.node}\u0000${p.bridge}\u0000${p.iface}`
    const s = series.get(k)
    if (s === undefined) series.set(k, [p])
    else s.push(p)
  }
  for (const s of series.values()) {
    const first = s[0]
    if (first === undefined) continue
    const color = nodeColor(input.allNodes, first.node)
    if (s.length > 1) {
      parts.push(`<polyline class="series" stroke="${color}" points="${s.map((p) => `${f.x(p.tMs).toFixed(1)},${y(p.ofport).toFixed(1)}`).join(' ')}"/>`)
    }
    for (const p of s) {
      parts.push(`<circle class="ofport" cx="${f.x(p.tMs).toFixed(1)}" cy="${y(p.ofport).toFixed(1)}" r="3" fill="${color}"><title>${esc(`${clock(p.tMs, true)}Z ${p.node}: ${p.iface} on ${p.bridge} → port ${p.ofport}`)}</title></circle>`)
    }
  }
  parts.push('</svg>')
  return parts.join('')
}
