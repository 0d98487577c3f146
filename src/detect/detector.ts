// The streaming detector: parsed events in, signals out. Pure: time comes from the events (and `tick`),
// nothing is buffered for reordering (a 65535 line alerts at once); out-of-order lines within
// `allowedLatenessMs` are placed where they belong, older ones are counted and dropped.
//
//   ParseResult ─▶ time/late/duplicate gate ─▶ claims (storm, flap, load) ─┐
//                                          ├▶ ofport (exhausted, leak)   ├─▶ lifecycle ─▶ Signal[]
//                                          └▶ bfd (mass down, evidence) ─┘   firing → update… → resolved
import type { OvsEvent, ParseResult, Signal, SignalKind, SignalStatus, ThrottleRegime } from '../types.js'
import { createBfdRule } from './bfd.js'
import { createClaimRules } from './claims.js'
import type { ClaimRulesTuning, PortSummary } from './claims.js'
import { createContext } from './context.js'
import { createLifecycle } from './lifecycle.js'
import { dropFront } from './lru.js'
import { createOfportRule } from './ofport.js'
import { resolveDetectorOptions } from './options.js'
import { internalized } from './small-map.js'
import type { DetectorOptions, ResolvedDetectorOptions } from './options.js'

export interface DetectorStats {
  /** Events pushed (parse results other than `unparsed`). */
  events: number
  /** `unparsed` results pushed (ignored). */
  unparsed: number
  /** Events that fed a rule. */
  used: number
  /** Duplicated lines (same node, serial, time and text) dropped. */
  duplicates: number
  /** Events older than the newest event time minus `allowedLatenessMs`, dropped. */
  late: number
  /** Events with neither a timestamp nor a wrapper timestamp before any timed event, dropped. */
  untimed: number
  signals: { byKind: Record<SignalKind, number>, byStatus: Record<SignalStatus, number> }
  evictions: { ports: number, nodes: number, ifaces: number, dedupe: number, signals: number }
}

export interface DetectorSnapshot {
  /** Newest event time seen or ticked, epoch ms; null before the first event. */
  watermarkMs: number | null
  /** Every open condition with its current numbers. */
  open: Signal[]
  /** The most recently active ports (up to 100), newest first. */
  ports: PortSummary[]
  /** Chassis name (OVS system-id) → node, learned from `Changing chassis … to <chassis>`. */
  chassis: Record<string, string>
  throttle: { regime: ThrottleRegime, minReclaimIntervalMs: number | null, inferred: boolean, samples: number }
  trackedPorts: number
  stats: DetectorStats
}

export interface Detector {
  readonly options: ResolvedDetectorOptions
  /**
   * Feeds one parse result; returns the signals it caused. `unparsed` is ignored. Most events cause none: then
   * the result is one shared, frozen empty array, so do not keep or modify what it returns.
   */
  push: (result: ParseResult) => Signal[]
  /** Advances event time to `nowMs` (for quiet periods) and returns what ended. */
  tick: (nowMs: number) => Signal[]
  /** Shutdown: `resolved` with `resolvedBy: 'shutdown'` for everything still open. */
  flush: () => Signal[]
  snapshot: () => DetectorSnapshot
  readonly stats: DetectorStats
}

/** Sweep for quiet conditions and re-evaluate the claim load at most this often (event time). */
const SWEEP_EVERY_MS = 1000
const UNKNOWN_NODE = 'unknown'
/** What `push` returns when an event causes nothing (most do): one frozen array instead of a new one per event. */
const NONE: Signal[] = Object.freeze([]) as unknown as Signal[]
/** Recent (serial, time) pairs kept per stream for out-of-order duplicate checks. */
const DEDUPE_RING = 256

interface DedupeStream { last: number, lastT: number, seqs: number[], times: number[], pos: number }

interface NodeState {
  /** The node's name: the first string seen for it, handed to the rules for every later event of the node. */
  name: string
  /** module → thread → stream. */
  streams: Map<string, Map<string, DedupeStream>>
  lastModule: string
  lastThread: string
  lastStream: DedupeStream | null
}

/** `tuning` is internal, for tests that compare an optimisation against the plain computation. */
export function createDetector (options: Partial<DetectorOptions> = {}, tuning?: ClaimRulesTuning): Detector {
  const opts = resolveDetectorOptions(options)
  const lc = createLifecycle(opts)
  const ctx = createContext(opts, lc)
  const bfd = createBfdRule(ctx)
  const ofport = createOfportRule(ctx)
  const claims = createClaimRules(ctx, bfd, ofport, tuning)

  const counters = { events: 0, unparsed: 0, used: 0, duplicates: 0, late: 0, untimed: 0, dedupeEvictions: 0 }
  // Duplicate suppression. vlog serials rise per thread, so per (node, module, thread) stream a line whose
  // serial is above the last one seen is new: O(1), no allocation. Anything else is checked against a ring of
  // the stream's recent (serial, time) pairs. Lines without a serial (RFC 5424) use text fingerprints with a FIFO expiry.
  const seen = new Set<string>()
  const fifoKeys: string[] = []
  const fifoTimes: number[] = []
  let fifoHead = 0
  let lastSweep = -Infinity
  // Every node once, in arrival order (bounded, oldest dropped first). Its record holds the node's name as the one
  // string the rules see for it, so their comparisons are identity checks and their lookups hit a cached hash,
  // and its dedupe streams.
  const nodeStates = new Map<string, NodeState>()
  let lastNode: NodeState | null = null

  function nodeState (name: string): NodeState {
    if (lastNode !== null && lastNode.name === name) return lastNode
    let ns = nodeStates.get(name)
    if (ns === undefined) {
      if (nodeStates.size >= opts.maxTrackedNodes) {
        const first = nodeStates.keys().next()
        if (first.done !== true) {
          if ((nodeStates.get(first.value) as NodeState).streams.size > 0) counters.dedupeEvictions++
          nodeStates.delete(first.value)
        }
      }
      // The engine's own (internalized) copy of the name: two different internalized strings compare unequal
      // without reading their characters, and the rules compare node names on every claim.
      ns = { name: internalized(name), streams: new Map(), lastModule: '', lastThread: '', lastStream: null }
      nodeStates.set(name, ns)
      ctx.nodes.seen(name)
    }
    lastNode = ns
    return ns
  }

  /** The dedupe stream of (node, module, thread); consecutive lines of a node mostly come from one. */
  function stream (ns: NodeState, module: string, thread: string): DedupeStream {
    if (ns.lastStream !== null && ns.lastModule === module && ns.lastThread === thread) return ns.lastStream
    let byThread = ns.streams.get(module)
    if (byThread === undefined) { byThread = new Map(); ns.streams.set(module, byThread) }
    let st = byThread.get(thread)
    if (st === undefined) {
      st = { last: -1, lastT: -Infinity, seqs: new Array<number>(DEDUPE_RING).fill(-1), times: new Array<number>(DEDUPE_RING).fill(0), pos: 0 }
      byThread.set(thread, st)
    }
    ns.lastModule = module
    ns.lastThread = thread
    ns.lastStream = st
    return st
  }

  function isDuplicate (e: OvsEvent, ns: NodeState, t: number): boolean {
    const node = ns.name
    if (e.seq !== null) {
      const st = stream(ns, e.module, e.thread ?? '')
      const seq = e.seq
      if (seq <= st.last) {
        for (let i = 0; i < DEDUPE_RING; i++) if (st.seqs[i] === seq && st.times[i] === t) return true
      }
      // Above the last serial, or a restarted daemon / reordered line moving time forward: the new reference.
      if (seq > st.last || t >= st.lastT) { st.last = seq; st.lastT = t }
      st.seqs[st.pos] = seq
      st.times[st.pos] = t
      st.pos = (st.pos + 1) % DEDUPE_RING
      return false
    }
    const fp = `${node}\u0000${t}\u0000${e.module}\u0000${e.message}`
    if (seen.has(fp)) return true
    seen.add(fp)
    fifoKeys.push(fp)
    fifoTimes.push(t)
    const horizon = ctx.watermark - opts.allowedLatenessMs - 1000
    while (fifoHead < fifoKeys.length && (seen.size > opts.maxDedupeEntries || (fifoTimes[fifoHead] as number) < horizon)) {
      if ((fifoTimes[fifoHead] as number) >= horizon) counters.dedupeEvictions++
      seen.delete(fifoKeys[fifoHead] as string)
      fifoHead++
    }
    if (fifoHead > 4096 && fifoHead * 2 > fifoKeys.length) {
      dropFront(fifoKeys, fifoHead)
      dropFront(fifoTimes, fifoHead)
      fifoHead = 0
    }
    return false
  }

  function housekeeping (out: Signal[]): void {
    if (ctx.watermark - lastSweep < SWEEP_EVERY_MS) return
    lastSweep = ctx.watermark
    claims.evaluateLoad(out)
    lc.sweep(ctx.watermark, out)
  }

  // Rules append to this scratch list; `push` hands out a copy only when something was emitted.
  const scratch: Signal[] = []

  function push (r: ParseResult): Signal[] {
    if (r.kind === 'unparsed') { counters.unparsed++; return NONE }
    counters.events++
    const e = r
    switch (e.kind) {
      case 'lport-claim': case 'lport-chassis-change': case 'lport-release': case 'iface-added':
      case 'port-add-failed': case 'ofport-alloc-failed': case 'ofproto-nonexistent-port':
      case 'bfd-state-change':
        break
      case 'vlog-dropped': case 'vlog':
        if (e.module !== 'bfd') return NONE
        break
      default:
        return NONE
    }
    const t = e.timeMs ?? e.source.wrapperTimeMs ?? (ctx.watermark === -Infinity ? null : ctx.watermark)
    if (t === null) { counters.untimed++; return NONE }
    if (t < ctx.watermark - opts.allowedLatenessMs) { counters.late++; return NONE }
    const ns = nodeState(e.source.node ?? UNKNOWN_NODE)
    const node = ns.name
    if (isDuplicate(e, ns, t)) { counters.duplicates++; return NONE }
    if (t > ctx.watermark) ctx.watermark = t
    const out = scratch
    counters.used++
    switch (e.kind) {
      case 'lport-claim': case 'lport-chassis-change': claims.onClaim(e, t, node, out); break
      case 'lport-release': claims.onRelease(e, t, node, out); break
      case 'iface-added': ofport.onAdded(e, t, node, out); break
      case 'port-add-failed': ofport.onAddFailed(e, t, node, out); break
      case 'ofport-alloc-failed': ofport.onAllocFailed(e, t, node, out); break
      case 'ofproto-nonexistent-port': ofport.onNonexistent(e, t, node, out); break
      case 'bfd-state-change': bfd.onStateChange(e, t, node, out); break
      case 'vlog-dropped': if (e.module === 'bfd') bfd.onDropped(e, t, node, out); break
      case 'vlog': bfd.onVisible(t, node); break
    }
    housekeeping(out)
    if (out.length === 0) return NONE
    const emitted = out.slice()
    out.length = 0
    return emitted
  }

  function stats (): DetectorStats {
    return {
      events: counters.events,
      unparsed: counters.unparsed,
      used: counters.used,
      duplicates: counters.duplicates,
      late: counters.late,
      untimed: counters.untimed,
      signals: { byKind: { ...lc.counters.byKind }, byStatus: { ...lc.counters.byStatus } },
      evictions: {
        ports: claims.evictions(),
        nodes: ctx.nodes.evictions() + bfd.evictions(),
        ifaces: ofport.evictions(),
        dedupe: counters.dedupeEvictions,
        signals: lc.counters.refused
      }
    }
  }

  return {
    options: opts,
    push,
    tick (nowMs) {
      if (!Number.isFinite(nowMs)) return []
      if (nowMs > ctx.watermark) ctx.watermark = nowMs
      const out: Signal[] = []
      lastSweep = -Infinity
      housekeeping(out)
      return out
    },
    flush () {
      const out: Signal[] = []
      lc.flush(out)
      return out
    },
    snapshot () {
      const th = ctx.throttle()
      return {
        watermarkMs: ctx.watermark === -Infinity ? null : ctx.watermark,
        open: lc.current(),
        ports: claims.ports(100),
        chassis: ctx.nodes.chassisMap(),
        throttle: { regime: th.regime, minReclaimIntervalMs: th.floorMs, inferred: th.inferred, samples: th.samples },
        trackedPorts: claims.trackedPorts(),
        stats: stats()
      }
    },
    get stats () { return stats() }
  }
}
