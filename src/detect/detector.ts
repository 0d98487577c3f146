// The streaming detector: parsed events in, signals out. Pure: time comes from the events (and `tick`),
// nothing is buffered for reordering (a 65535 line alerts at once); out-of-order lines within
// `allowedLatenessMs` are placed where they belong, older ones are counted and dropped.
//
//   ParseResult ─▶ time/late/duplicate gate ─▶ claims (storm, flap, load) ─┐
//                                          ├▶ ofport (exhausted, leak)   ├─▶ lifecycle ─▶ Signal[]
//                                          └▶ bfd (mass down, evidence) ─┘   firing → update… → resolved
import type { OvsEvent, ParseResult, Signal, SignalKind, SignalStatus, ThrottleRegime } from '../types.js'
import { createBfdRule } from './bfd.js'
import type { BfdRule } from './bfd.js'
import { createClaimRules } from './claims.js'
import type { ClaimRules, ClaimRulesTuning, PortSummary } from './claims.js'
import { createContext } from './context.js'
import type { DetectContext } from './context.js'
import { createLifecycle } from './lifecycle.js'
import type { Lifecycle } from './lifecycle.js'
import { dropFront } from './lru.js'
import { createOfportRule } from './ofport.js'
import type { OfportRule } from './ofport.js'
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
  return new DetectorImpl(resolveDetectorOptions(options), tuning)
}

/**
 * The detector as a class: its methods live on the prototype, shared by every detector, so the code one detector
 * warmed up serves the next; its state lives in fields set in the same order for every instance.
 */
class DetectorImpl implements Detector {
  readonly options: ResolvedDetectorOptions
  private readonly opts: ResolvedDetectorOptions
  private readonly lc: Lifecycle
  private readonly ctx: DetectContext
  private readonly bfd: BfdRule
  private readonly ofport: OfportRule
  private readonly claims: ClaimRules

  private readonly counters = { events: 0, unparsed: 0, used: 0, duplicates: 0, late: 0, untimed: 0, dedupeEvictions: 0 }
  // Duplicate suppression. vlog serials rise per thread, so per (node, module, thread) stream a line whose
  // serial is above the last one seen is new: O(1), no allocation. Anything else is checked against a ring of
  // the stream's recent (serial, time) pairs. Lines without a serial (RFC 5424) use text fingerprints with a FIFO expiry.
  private readonly seen = new Set<string>()
  private readonly fifoKeys: string[] = []
  private readonly fifoTimes: number[] = []
  private fifoHead = 0
  private lastSweep = -Infinity
  // Every node once, in arrival order (bounded, oldest dropped first). Its record holds the node's name as the one
  // string the rules see for it, so their comparisons are identity checks and their lookups hit a cached hash,
  // and its dedupe streams.
  private readonly nodeStates = new Map<string, NodeState>()
  private lastNode: NodeState | null = null
  // Rules append to this scratch list; `push` hands out a copy only when something was emitted.
  private readonly scratch: Signal[] = []

  constructor (opts: ResolvedDetectorOptions, tuning: ClaimRulesTuning | undefined) {
    this.options = opts
    this.opts = opts
    this.lc = createLifecycle(opts)
    this.ctx = createContext(opts, this.lc)
    this.bfd = createBfdRule(this.ctx)
    this.ofport = createOfportRule(this.ctx)
    this.claims = createClaimRules(this.ctx, this.bfd, this.ofport, tuning)
  }

  private nodeState (name: string): NodeState {
    if (this.lastNode !== null && this.lastNode.name === name) return this.lastNode
    let ns = this.nodeStates.get(name)
    if (ns === undefined) {
      if (this.nodeStates.size >= this.opts.maxTrackedNodes) {
        const first = this.nodeStates.keys().next()
        if (first.done !== true) {
          if ((this.nodeStates.get(first.value) as NodeState).streams.size > 0) this.counters.dedupeEvictions++
          this.nodeStates.delete(first.value)
        }
      }
      // The engine's own (internalized) copy of the name: two different internalized strings compare unequal
      // without reading their characters, and the rules compare node names on every claim.
      ns = { name: internalized(name), streams: new Map(), lastModule: '', lastThread: '', lastStream: null }
      this.nodeStates.set(name, ns)
      this.ctx.nodes.seen(name)
    }
    this.lastNode = ns
    return ns
  }

  /** The dedupe stream of (node, module, thread); consecutive lines of a node mostly come from one. */
  private stream (ns: NodeState, module: string, thread: string): DedupeStream {
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

  private isDuplicate (e: OvsEvent, ns: NodeState, t: number): boolean {
    const node = ns.name
    if (e.seq !== null) {
      const st = this.stream(ns, e.module, e.thread ?? '')
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
    if (this.seen.has(fp)) return true
    this.seen.add(fp)
    this.fifoKeys.push(fp)
    this.fifoTimes.push(t)
    const horizon = this.ctx.watermark - this.opts.allowedLatenessMs - 1000
    while (this.fifoHead < this.fifoKeys.length && (this.seen.size > this.opts.maxDedupeEntries || (this.fifoTimes[this.fifoHead] as number) < horizon)) {
      if ((this.fifoTimes[this.fifoHead] as number) >= horizon) this.counters.dedupeEvictions++
      this.seen.delete(this.fifoKeys[this.fifoHead] as string)
      this.fifoHead++
    }
    if (this.fifoHead > 4096 && this.fifoHead * 2 > this.fifoKeys.length) {
      dropFront(this.fifoKeys, this.fifoHead)
      dropFront(this.fifoTimes, this.fifoHead)
      this.fifoHead = 0
    }
    return false
  }

  private housekeeping (out: Signal[]): void {
    if (this.ctx.watermark - this.lastSweep < SWEEP_EVERY_MS) return
    this.lastSweep = this.ctx.watermark
    this.claims.evaluateLoad(out)
    this.lc.sweep(this.ctx.watermark, out)
  }

  push (r: ParseResult): Signal[] {
    if (r.kind === 'unparsed') { this.counters.unparsed++; return NONE }
    this.counters.events++
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
    const t = e.timeMs ?? e.source.wrapperTimeMs ?? (this.ctx.watermark === -Infinity ? null : this.ctx.watermark)
    if (t === null) { this.counters.untimed++; return NONE }
    if (t < this.ctx.watermark - this.opts.allowedLatenessMs) { this.counters.late++; return NONE }
    const ns = this.nodeState(e.source.node ?? UNKNOWN_NODE)
    const node = ns.name
    if (this.isDuplicate(e, ns, t)) { this.counters.duplicates++; return NONE }
    if (t > this.ctx.watermark) this.ctx.watermark = t
    const out = this.scratch
    this.counters.used++
    switch (e.kind) {
      case 'lport-claim': case 'lport-chassis-change': this.claims.onClaim(e, t, node, out); break
      case 'lport-release': this.claims.onRelease(e, t, node, out); break
      case 'iface-added': this.ofport.onAdded(e, t, node, out); break
      case 'port-add-failed': this.ofport.onAddFailed(e, t, node, out); break
      case 'ofport-alloc-failed': this.ofport.onAllocFailed(e, t, node, out); break
      case 'ofproto-nonexistent-port': this.ofport.onNonexistent(e, t, node, out); break
      case 'bfd-state-change': this.bfd.onStateChange(e, t, node, out); break
      case 'vlog-dropped': if (e.module === 'bfd') this.bfd.onDropped(e, t, node, out); break
      case 'vlog': this.bfd.onVisible(t, node); break
    }
    this.housekeeping(out)
    if (out.length === 0) return NONE
    const emitted = out.slice()
    out.length = 0
    return emitted
  }

  private computeStats (): DetectorStats {
    return {
      events: this.counters.events,
      unparsed: this.counters.unparsed,
      used: this.counters.used,
      duplicates: this.counters.duplicates,
      late: this.counters.late,
      untimed: this.counters.untimed,
      signals: { byKind: { ...this.lc.counters.byKind }, byStatus: { ...this.lc.counters.byStatus } },
      evictions: {
        ports: this.claims.evictions(),
        nodes: this.ctx.nodes.evictions() + this.bfd.evictions(),
        ifaces: this.ofport.evictions(),
        dedupe: this.counters.dedupeEvictions,
        signals: this.lc.counters.refused
      }
    }
  }

  tick (nowMs: number): Signal[] {
    if (!Number.isFinite(nowMs)) return []
    if (nowMs > this.ctx.watermark) this.ctx.watermark = nowMs
    const out: Signal[] = []
    this.lastSweep = -Infinity
    this.housekeeping(out)
    return out
  }

  flush (): Signal[] {
    const out: Signal[] = []
    this.lc.flush(out)
    return out
  }

  snapshot (): DetectorSnapshot {
    const th = this.ctx.throttle()
    return {
      watermarkMs: this.ctx.watermark === -Infinity ? null : this.ctx.watermark,
      open: this.lc.current(),
      ports: this.claims.ports(100),
      chassis: this.ctx.nodes.chassisMap(),
      throttle: { regime: th.regime, minReclaimIntervalMs: th.floorMs, inferred: th.inferred, samples: th.samples },
      trackedPorts: this.claims.trackedPorts(),
      stats: this.computeStats()
    }
  }

  get stats (): DetectorStats { return this.computeStats() }
}
