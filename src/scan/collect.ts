// What the report plots, gathered from the merged event stream with bounded memory: every port
// keeps a short ring of its latest claims; once a signal names the port, all its claims are kept
// (up to a bound), so the timeline of a stormed port starts before the alert fired.
import type { ParseResult, Signal } from '../types.js'
import type { BfdPoint, ClaimPoint, OfportPoint, PortTimeline } from './model.js'

export interface CollectOptions {
  /**
   * Claims remembered per port before any signal names it.
   * @default 32
   */
  ringPerPort?: number
  /**
   * Ports remembered at once (least recently active evicted).
   * @default 2000
   */
  maxPorts?: number
  /**
   * Claims kept per alerted port.
   * @default 20000
   */
  maxPointsPerAlertedPort?: number
  /**
   * Alerted ports kept with full timelines.
   * @default 200
   */
  maxAlertedPorts?: number
  /**
   * Claims kept over all alerted ports together (about 80 bytes each).
   * @default 250000
   */
  maxTimelinePoints?: number
  /**
   * BFD changes and ofport numbers kept (each). Past it the series is thinned evenly (every other point
   * dropped, then only every 2nd, 4th… new one kept), so the plot still spans the whole input and memory
   * stays flat however long it is.
   * @default 10000
   */
  maxPoints?: number
}

interface PortState {
  points: ClaimPoint[]
  alerted: boolean
  dropped: number
}

export interface Collector {
  push: (r: ParseResult) => void
  /** Marks the ports the signals name, so their claims are kept in full from now on. */
  signals: (signals: readonly Signal[]) => void
  timelines: () => PortTimeline[]
  bfd: () => BfdPoint[]
  ofports: () => OfportPoint[]
  dropped: () => number
}

/** A series bounded by thinning: holds points number 0, s, 2s… of those offered (stride s doubles when full). */
class ThinnedSeries<T> {
  readonly points: T[] = []
  offered = 0
  #stride = 1
  readonly #max: number

  constructor (max: number) {
    this.#max = Math.max(1, max)
  }

  push (p: T): void {
    const k = this.offered++
    if (k % this.#stride !== 0) return
    if (this.points.length >= this.#max) {
      // keep every other point: those whose number is a multiple of the doubled stride
      let w = 0
      for (let r = 0; r < this.points.length; r += 2) this.points[w++] = this.points[r] as T
      this.points.length = w
      this.#stride *= 2
      if (k % this.#stride !== 0) return
    }
    this.points.push(p)
  }

  get dropped (): number {
    return this.offered - this.points.length
  }
}

export function createCollector (options: CollectOptions = {}): Collector {
  const ring = options.ringPerPort ?? 32
  const maxPorts = options.maxPorts ?? 2000
  const maxTimeline = options.maxTimelinePoints ?? 250000
  let timelinePoints = 0
  const maxAlertedPoints = options.maxPointsPerAlertedPort ?? 20000
  const maxAlerted = options.maxAlertedPorts ?? 200
  const maxPoints = options.maxPoints ?? 10000
  // Map insertion order doubles as recency: re-inserted on every claim
  const ports = new Map<string, PortState>()
  const bfd = new ThinnedSeries<BfdPoint>(maxPoints)
  const ofports = new ThinnedSeries<OfportPoint>(maxPoints)
  let alertedCount = 0

  const addClaim = (lport: string, p: ClaimPoint): void => {
    let st = ports.get(lport)
    if (st === undefined) {
      st = { points: [], alerted: false, dropped: 0 }
      if (ports.size >= maxPorts) {
        for (const [k, v] of ports) {
          if (!v.alerted) { ports.delete(k); break }
        }
      }
    } else if (!st.alerted) {
      ports.delete(lport)
    }
    if (!st.alerted) ports.set(lport, st)
    if (st.alerted) {
      if (st.points.length < maxAlertedPoints && timelinePoints < maxTimeline) {
        st.points.push(p)
        timelinePoints++
      } else {
        st.dropped++
      }
    } else {
      st.points.push(p)
      if (st.points.length > ring) { st.points.shift(); st.dropped++ }
    }
  }

  return {
    push (r) {
      if (r.kind === 'unparsed') return
      const t = r.timeMs ?? r.source.wrapperTimeMs
      if (t === undefined || t === null) return
      const node = r.source.node ?? '?'
      switch (r.kind) {
        case 'lport-claim': addClaim(r.lport, { tMs: t, node, act: 'claim' }); break
        case 'lport-chassis-change': addClaim(r.lport, { tMs: t, node, act: 'change', from: r.from }); break
        case 'lport-release': addClaim(r.lport, { tMs: t, node, act: 'release' }); break
        case 'bfd-state-change':
          bfd.push({ tMs: t, node, iface: r.iface, from: r.oldState, to: r.newState })
          break
        case 'iface-added':
          ofports.push({ tMs: t, node, bridge: r.bridge, iface: r.iface, ofport: r.ofport })
          break
        default: break
      }
    },
    signals (signals) {
      for (const s of signals) {
        if (s.kind !== 'claim-storm' && s.kind !== 'port-flap') continue
        let st = ports.get(s.lport)
        if (st === undefined) {
          st = { points: [], alerted: false, dropped: 0 }
          ports.set(s.lport, st)
        }
        if (!st.alerted && alertedCount < maxAlerted) {
          st.alerted = true
          alertedCount++
          timelinePoints += st.points.length
        }
      }
    },
    timelines () {
      const out: PortTimeline[] = []
      for (const [lport, st] of ports) {
        if (st.alerted) out.push({ lport, points: [...st.points].sort((a, b) => a.tMs - b.tMs), dropped: st.dropped })
      }
      return out
    },
    bfd: () => [...bfd.points].sort((a, b) => a.tMs - b.tMs),
    ofports: () => [...ofports.points].sort((a, b) => a.tMs - b.tMs),
    dropped: () => bfd.dropped + ofports.dropped
  }
}
