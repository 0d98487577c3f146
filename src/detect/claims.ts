// Claim acts → claim-storm (one port fought over by several chassis), port-flap (one chassis claiming and
// releasing in a loop) and claim-load (all ports together, Southbound commits per second).
//
// A claim act is one `Claiming lport X for this chassis.` or `Changing chassis for lport X from A to B.` line;
// the `X: Claiming <mac> <ip>` lines that follow belong to the same act and are not counted. The claimer is the
// node that logged the line (a chassis never logs the other side's claims), the previous owner is `A` for a
// chassis change (Southbound's view at commit time) or the previous claimer seen for an unbound-port claim.
//
//   acts of one port:   gw1 ─ gw3 ─ gw1 ─ gw3 ─ gw1 ─ gw3 ...    (hand-off = owner changes chassis)
//   storm window:       |◀──────── stormWindowMs ────────▶|       ≥ stormMinHandoffs, spanning ≥ stormMinSpanMs,
//                                                                in one episode (no pause over stormMaxGapMs)
//                                                                or over 3 episodes or more
//   resolved:           no act for quietMs
import type {
  ClaimLoadSignal, ClaimStormSignal, LportChassisChangeEvent, LportClaimEvent, LportReleaseEvent, Participant,
  PortFlapSignal, Signal, Suspect
} from '../types.js'
import type { BfdDown, BfdRule } from './bfd.js'
import type { DetectContext } from './context.js'
import { FIRST_ACT_CONTESTED, FIRST_ACT_HANDOFF, FirstActs } from './first-acts.js'
import type { Lifecycle, OpenRecord, RenderBase } from './lifecycle.js'
import { dropFront, Lru } from './lru.js'
import type { OfportRule } from './ofport.js'
import type { ResolvedDetectorOptions } from './options.js'
import { internalized, SmallMap } from './small-map.js'
import { RECLAIM_SAMPLE_MAX_MS, THROTTLE_INTERVAL_MS } from './throttle.js'

interface Act {
  t: number
  node: string
  /** Node that held the port before this act, when known. */
  prev: string | null
  handoff: boolean
}

interface Release { t: number, node: string }

interface HandoffPair { from: string, to: string, label: string, n: number }

interface PartStats { node: string, claims: number, releases: number, intervals: number[] }

interface Storm {
  key: string
  /** The lifecycle's record of this storm, while it is open. */
  rec: OpenRecord | null
  lport: string
  startMs: number
  acts: number
  handoffs: number
  /** from → to → hand-offs, with the `from->to` label built once (updates list them every time). */
  pairs: SmallMap<SmallMap<HandoffPair>>
  /** Every pair of `pairs` (sorted by each update: the order does not matter). */
  pairList: HandoffPair[]
  parts: SmallMap<PartStats>
  /** Nodes with at least one claim in this storm, in order of their first (read by other storms' suspects). */
  claimers: string[]
  /** Which recent storms overlap this one, carried from one update to the next. */
  overlap: OverlapMemo | null
  ownerBefore: string | null
  /** Current second (event time) and its act count, for the peak rate. */
  sec: number
  secCount: number
  peak: number
  minReclaimMs: number | null
  lastMs: number
}

/**
 * The storms overlapping one storm, per node of it the number it claims in. Two storms that overlap keep
 * overlapping (a storm's start is fixed and its last act only moves forward), so an update examines only the
 * storms that did not overlap yet and those opened since, until a storm leaves the recent list or gains a claimer.
 */
interface OverlapMemo {
  version: number
  /** Entries of `recentStorms` examined. */
  seen: number
  /** Nodes of the storm when counted (its node list only grows). */
  nodes: number
  overlapping: number
  claimedIn: number[]
  /** Examined, not overlapping yet. */
  pending: Storm[]
}

interface Flap { key: string, node: string, claims: number, releases: number, startMs: number, lastMs: number }

interface PortState {
  lport: string
  gateway: boolean
  /** Sorted by time, pruned to the retention window. */
  acts: Act[]
  releases: Release[]
  lastActMs: number
  /** Last contested claim per chassis, created on the first one (most ports never see any). */
  lastContested: SmallMap<number> | null
  storm: Storm | null
  flap: Flap | null
  /** Acts of this port in the claim-load window (a counter on the port, so the load check needs no map). */
  loadActs: number
  /** The last claim-load listing pass that listed this port. */
  loadPass: number
}

export interface PortSummary {
  lport: string
  portClass: 'gateway' | 'vif'
  /** Claim acts within `stormWindowMs` of the port's last act. */
  claimActs: number
  handoffs: number
  claimants: string[]
  owner: string | null
  releases: number
  lastMs: number
  storming: boolean
}

interface LoadState {
  key: string
  claimsPerSec: number
  peak: number
  ports: string[]
  nodes: string[]
}

// Shared, never written: a new port gets arrays of its own on its first act / release (most flood ports never release).
const NO_ACTS: Act[] = []
const NO_RELEASES: Release[] = []

const MAX_INTERVALS = 32
const MAX_RECENT_STORMS = 256
const MAX_LISTED = 50
/** Episodes of hand-offs (separated by pauses over stormMaxGapMs) that make a storm together: moved away and back, and again. */
const MIN_FLAP_EPISODES = 3

export interface ClaimRules {
  onClaim: (e: LportClaimEvent | LportChassisChangeEvent, t: number, node: string, out: Signal[]) => void
  onRelease: (e: LportReleaseEvent, t: number, node: string, out: Signal[]) => void
  /** Re-evaluates the Southbound claim load at the current watermark. */
  evaluateLoad: (out: Signal[]) => void
  ports: (limit: number) => PortSummary[]
  trackedPorts: () => number
  evictions: () => number
}

export function isGatewayPort (lport: string): boolean {
  return lport.startsWith('cr-lrp-')
}

function insertSorted<T extends { t: number }> (arr: T[], item: T): void {
  let i = arr.length
  while (i > 0 && (arr[i - 1] as T).t > item.t) i--
  if (i === arr.length) arr.push(item)
  else arr.splice(i, 0, item)
}

/**
 * Sorts in place by insertion: the lists of one storm (participants, hand-off pairs, suspects) have a few
 * entries and are sorted on every update, where the built-in sort's setup costs more than the sorting.
 */
function sortSmall<T> (arr: T[], order: (a: T, b: T) => number): T[] {
  if (arr.length > 16) return arr.sort(order)
  for (let i = 1; i < arr.length; i++) {
    const x = arr[i] as T
    let j = i - 1
    while (j >= 0 && order(arr[j] as T, x) > 0) { arr[j + 1] = arr[j] as T; j-- }
    arr[j + 1] = x
  }
  return arr
}

/** Code-unit order: deterministic and far cheaper than `localeCompare` (ICU collation) on every update. */
function cmp (a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0 }

function round2 (x: number): number { return Math.round(x * 100) / 100 }

// The orders of a storm's lists, made once (not a closure per update).
function byClaims (a: PartStats, b: PartStats): number { return b.claims - a.claims || cmp(a.node, b.node) }
function byPairCount (a: HandoffPair, b: HandoffPair): number { return b.n - a.n || cmp(a.label, b.label) }
function byScore (a: Suspect, b: Suspect): number { return b.score - a.score || cmp(a.node, b.node) }

/** The largest count of `m`'s values, -Infinity when empty (as `Math.max(...m.values())`, without the spread). */
function maxValue (m: Map<number, number>): number {
  let max = -Infinity
  for (const v of m.values()) if (v > max) max = v
  return max
}

/**
 * @internal For tests that compare an optimisation with the plain computation: `overlapMemo: false` recounts
 * overlapping storms from scratch on every update; `packFirstActs: false` gives every port a PortState from its
 * first act on.
 */
export interface ClaimRulesTuning { overlapMemo?: boolean, packFirstActs?: boolean }

export function createClaimRules (ctx: DetectContext, bfd: BfdRule, ofport: OfportRule, tuning: ClaimRulesTuning = {}): ClaimRules {
  return new ClaimRulesImpl(ctx, bfd, ofport, tuning)
}

/**
 * The claim rules as a class: its methods live on the prototype, shared by every detector, so the code one
 * detector warmed up serves the next; its state lives in fields set in the same order for every instance.
 */
class ClaimRulesImpl implements ClaimRules {
  private readonly ctx: DetectContext
  private readonly opts: ResolvedDetectorOptions
  private readonly lc: Lifecycle
  private readonly bfd: BfdRule
  private readonly ofport: OfportRule
  private readonly memoOverlap: boolean
  private readonly retentionMs: number
  // Ports with more than one act (or a release), and ports with exactly one (most ports of a flood), packed.
  // Together they hold at most maxTrackedPorts, evicted by one CLOCK over both (`makeRoom`).
  private readonly tracked: Lru<string, PortState>
  private readonly first: FirstActs | null
  private firstEvictions = 0
  private readonly recentStorms: Storm[] = []
  /** Bumped when a storm leaves `recentStorms` or a storm gains a claimer: every OverlapMemo is then stale. */
  private stormsVersion = 0
  private load: LoadState | null = null

  private lastPort: PortState | null = null

  constructor (ctx: DetectContext, bfd: BfdRule, ofport: OfportRule, tuning: ClaimRulesTuning) {
    this.ctx = ctx
    this.opts = ctx.opts
    this.lc = ctx.lc
    this.bfd = bfd
    this.ofport = ofport
    this.memoOverlap = tuning.overlapMemo !== false
    this.retentionMs = Math.max(this.opts.stormWindowMs, this.opts.flapWindowMs, this.opts.loadWindowMs)
    this.tracked = new Lru<string, PortState>(this.opts.maxTrackedPorts, (_k, p) => { if (p === this.lastPort) this.lastPort = null })
    this.first = tuning.packFirstActs === false ? null : new FirstActs(this.opts.maxTrackedPorts)
  }

  /** The tracked port, promoted from `first` if it had one act; undefined when not tracked. */
  private trackedPort (lport: string): PortState | undefined {
    // Consecutive acts often hit the same port; a string compare is cheaper than hashing a fresh string.
    if (this.lastPort !== null && this.lastPort.lport === lport) return this.lastPort
    let p = this.tracked.touch(lport)
    if (p === undefined) {
      const slot = this.first === null ? -1 : this.first.find(lport)
      if (slot === -1) return undefined
      p = this.promote(slot)
    }
    this.lastPort = p
    return p
  }

  private port (lport: string): PortState {
    const p = this.trackedPort(lport)
    if (p !== undefined) return p
    this.makeRoom()
    const created: PortState = { lport, gateway: isGatewayPort(lport), acts: NO_ACTS, releases: NO_RELEASES, lastActMs: -Infinity, lastContested: null, storm: null, flap: null, loadActs: 0, loadPass: 0 }
    this.tracked.add(lport, created, this.actsSoFar())
    this.lastPort = created
    return created
  }

  /** A one-act port's second act (or first release): a full PortState holding that act. */
  private promote (slot: number): PortState {
    const f = this.first as FirstActs
    const lport = f.name(slot)
    const t = f.time(slot)
    const node = f.node(slot)
    const flags = f.flags(slot)
    const seq = f.seq(slot)
    const a: Act = { t, node, prev: f.prev(slot), handoff: (flags & FIRST_ACT_HANDOFF) !== 0 }
    f.remove(slot)
    let contested: SmallMap<number> | null = null
    if ((flags & FIRST_ACT_CONTESTED) !== 0) { contested = new SmallMap(); contested.set(node, t) }
    const p: PortState = { lport, gateway: isGatewayPort(lport), acts: [a], releases: NO_RELEASES, lastActMs: t, lastContested: contested, storm: null, flap: null, loadActs: 0, loadPass: 0 }
    // Its act, if still in the claim-load window, now counts for it.
    if (seq >= this.loadStart && seq < this.loadEnd && this.loadPorts[seq & this.loadMask] === null) { this.loadPorts[seq & this.loadMask] = p; p.loadActs = 1 }
    // Used just now: queued as the newest.
    this.tracked.add(lport, p, this.actsSoFar())
    return p
  }

  /** The first act of an untracked port, packed (it can make no signal on its own: see first-acts.ts). */
  private addFirstAct (f: FirstActs, e: LportClaimEvent | LportChassisChangeEvent, t: number, node: string): void {
    let prev: string | null = null
    let flags = 0
    if (e.kind === 'lport-chassis-change') {
      this.ctx.nodes.learn(node, e.to)
      prev = this.ctx.nodes.nodeOf(e.from)
      flags = FIRST_ACT_CONTESTED | (prev !== node ? FIRST_ACT_HANDOFF : 0)
    }
    // An unbound port's claim: no earlier act, so no previous owner and no hand-off.
    this.makeRoom()
    f.add(e.lport, t, node, prev, flags, this.actsSoFar())
    this.loadAdd(null, t, node)
  }

  /** Evicts until one more port fits: the CLOCK hand over full ports, one-act ports in arrival order. */
  private makeRoom (): void {
    while (this.tracked.size + (this.first?.size ?? 0) >= this.opts.maxTrackedPorts) {
      const s = this.first === null ? -1 : this.first.oldest()
      if (s !== -1 && (this.first as FirstActs).seq(s) <= this.tracked.headSeq()) {
        (this.first as FirstActs).remove(s)
        this.firstEvictions++
      } else if (s === -1 && this.tracked.size === 0) break
      else this.tracked.evictStep(this.actsSoFar())
    }
  }

  private prune (p: PortState, newest: number): void {
    const from = newest - this.retentionMs
    // Splicing one act off the front on every claim is a memmove per event: drop them a second at a time.
    const head = p.acts[0]
    if ((head === undefined || head.t >= from - 1000) && p.acts.length <= this.opts.maxActsPerPort &&
      (p.releases[0]?.t ?? Infinity) >= from - 1000 && p.releases.length <= this.opts.maxActsPerPort) return
    // Over the cap, cut to 3/4 of it so the next cut is far away.
    const keep = Math.max(1, Math.floor(this.opts.maxActsPerPort * 0.75))
    let i = 0
    while (i < p.acts.length && (p.acts[i] as Act).t < from) i++
    if (p.acts.length - i > this.opts.maxActsPerPort) i = p.acts.length - keep
    if (i > 0) dropFront(p.acts, i)
    let j = 0
    while (j < p.releases.length && (p.releases[j] as { t: number }).t < from) j++
    if (p.releases.length - j > this.opts.maxActsPerPort) j = p.releases.length - keep
    if (j > 0) dropFront(p.releases, j)
  }

  // ---- claim-storm -----------------------------------------------------------------------------------------

  private part (s: Storm, node: string): PartStats {
    let ps = s.parts.get(node)
    if (ps === undefined) { ps = { node, claims: 0, releases: 0, intervals: [] }; s.parts.set(node, ps) }
    return ps
  }

  private countAct (s: Storm, a: Act): void {
    s.acts++
    if (this.part(s, a.node).claims++ === 0) { s.claimers.push(a.node); this.stormsVersion++ }
    if (a.handoff && a.prev !== null) {
      s.handoffs++
      this.part(s, a.prev)
      let to = s.pairs.get(a.prev)
      if (to === undefined) { to = new SmallMap(); s.pairs.set(a.prev, to) }
      const pair = to.get(a.node)
      if (pair === undefined) {
        const created = { from: a.prev, to: a.node, label: internalized(`${a.prev}->${a.node}`), n: 1 }
        to.set(a.node, created)
        s.pairList.push(created)
      } else pair.n++
    }
    // Peak acts in one second; a late act of an earlier second is not re-counted (the peak is approximate by design).
    const sec = Math.floor(a.t / 1000)
    if (sec === s.sec) s.secCount++
    else if (sec > s.sec) { s.sec = sec; s.secCount = 1 }
    if (s.secCount > s.peak) s.peak = s.secCount
    if (a.t > s.lastMs) s.lastMs = a.t
  }

  /**
   * Index of the storm's first act, or -1. Within the window, a pause over stormMaxGapMs between two acts splits
   * them into episodes. A storm is either one episode of at least stormMinHandoffs hand-offs spanning
   * stormMinSpanMs (a fight), or hand-offs in at least MIN_FLAP_EPISODES episodes, as many and as long in all (a
   * port moving back and forth again and again). A failover and a short failback tug seconds later are neither.
   */
  private stormCondition (p: PortState, newest: number): number {
    if (p.acts.length < this.opts.stormMinHandoffs) return -1
    const from = newest - this.opts.stormWindowMs
    const maxGapMs = this.ctx.stormMaxGapMs()
    let handoffs = 0
    let firstIdx = -1
    let lastT = -Infinity
    // the latest episode alone, and how many episodes had a hand-off
    let episodeHandoffs = 0
    let episodeFirstIdx = -1
    let episodes = 0
    let inLatest = true
    let episodeHasHandoff = false
    let laterT = Infinity
    for (let i = p.acts.length - 1; i >= 0; i--) {
      const a = p.acts[i] as Act
      if (a.t < from) break
      if (laterT !== Infinity && laterT - a.t > maxGapMs) {
        inLatest = false
        episodeHasHandoff = false
      }
      laterT = a.t
      if (!a.handoff) continue
      handoffs++
      firstIdx = i
      if (lastT === -Infinity) lastT = a.t
      if (!episodeHasHandoff) { episodeHasHandoff = true; episodes++ }
      if (inLatest) { episodeHandoffs++; episodeFirstIdx = i }
    }
    if (handoffs < this.opts.stormMinHandoffs) return -1
    const minSpanMs = this.ctx.stormMinSpanMs()
    if (episodeHandoffs >= this.opts.stormMinHandoffs && lastT - (p.acts[episodeFirstIdx] as Act).t >= minSpanMs) return episodeFirstIdx
    if (episodes >= MIN_FLAP_EPISODES && lastT - (p.acts[firstIdx] as Act).t >= minSpanMs) return firstIdx
    return -1
  }

  /**
   * Who held the port before the storm. Walking back from the storm's first act, the last node that kept the port
   * for at least the storm's minimum span; a node that held it only for a moment, in the tug-of-war that opens
   * many storms, is passed over. A holding runs from the node's claim (or from before the port's history) to the
   * act that took the port from it, or to its release. When no one held it that long, the holder just before the
   * first act.
   */
  private ownerBeforeStorm (p: PortState, firstIdx: number): string | null {
    const first = p.acts[firstIdx] as Act
    const minHoldMs = this.ctx.stormMinSpanMs()
    // Ends of holdings before the first act's own: an act ends its previous owner's, a release its node's.
    const ends: Release[] = []
    for (let i = 0; i <= firstIdx; i++) {
      const a = p.acts[i] as Act
      if (a.prev !== null) ends.push({ t: a.t, node: a.prev })
    }
    for (const r of p.releases) if (r.t < first.t) ends.push(r)
    ends.sort((a, b) => b.t - a.t)
    for (const end of ends) {
      let from = -Infinity
      for (let i = 0; i <= firstIdx; i++) {
        const a = p.acts[i] as Act
        if (a.t > end.t) break
        if (a.node === end.node) from = a.t
      }
      if (end.t - from >= minHoldMs) return end.node
    }
    return first.prev
  }

  private openStorm (p: PortState, firstIdx: number, out: Signal[]): void {
    const first = p.acts[firstIdx] as Act
    const s: Storm = {
      key: `claim-storm:${p.lport}`,
      rec: null,
      lport: p.lport,
      startMs: first.t,
      acts: 0,
      handoffs: 0,
      pairs: new SmallMap(),
      pairList: [],
      parts: new SmallMap(),
      claimers: [],
      overlap: null,
      ownerBefore: this.ownerBeforeStorm(p, firstIdx),
      sec: -Infinity,
      secCount: 0,
      peak: 0,
      minReclaimMs: null,
      lastMs: first.t
    }
    for (let i = firstIdx; i < p.acts.length; i++) this.countAct(s, p.acts[i] as Act)
    for (const r of p.releases) if (r.t >= s.startMs) this.part(s, r.node).releases++
    // Re-claim cadence of each participant inside the window.
    const lastByNode = new Map<string, number>()
    for (let i = firstIdx; i < p.acts.length; i++) {
      const a = p.acts[i] as Act
      if (!a.handoff) continue
      const prevT = lastByNode.get(a.node)
      if (prevT !== undefined) this.addInterval(s, a.node, a.t - prevT)
      lastByNode.set(a.node, a.t)
    }
    const opened = this.lc.fire(s.key, 'claim-storm', s.startMs, s.lastMs, this.renderStorm(p, s), () => { p.storm = null }, out)
    if (!opened) return
    s.rec = this.lc.open.get(s.key) ?? null
    p.storm = s
    // Storms that ended long before this one began cannot overlap anything any more.
    const horizon = s.startMs - 2 * (this.opts.quietMs + this.opts.stormWindowMs)
    while (this.recentStorms.length > 0 && ((this.recentStorms[0] as Storm).lastMs < horizon || this.recentStorms.length >= MAX_RECENT_STORMS)) {
      this.recentStorms.shift()
      this.stormsVersion++
    }
    this.recentStorms.push(s)
  }

  private addInterval (s: Storm, node: string, ms: number): void {
    if (ms <= 0 || ms >= RECLAIM_SAMPLE_MAX_MS) return
    const ps = this.part(s, node)
    if (ps.intervals.length >= MAX_INTERVALS) dropFront(ps.intervals, MAX_INTERVALS / 2)
    ps.intervals.push(ms)
    if (s.minReclaimMs === null || ms < s.minReclaimMs) s.minReclaimMs = ms
  }

  private renderStorm (p: PortState, s: Storm): (base: RenderBase) => ClaimStormSignal {
    return (base) => {
      const seconds = Math.max((s.lastMs - s.startMs) / 1000, 1)
      const participants: Participant[] = []
      for (const ps of sortSmall(s.parts.values(), byClaims)) {
        const pt: Participant = { node: ps.node, claims: ps.claims, releases: ps.releases, claimsPerSec: round2(ps.claims / seconds) }
        const ch = this.ctx.nodes.chassisOf(ps.node)
        if (ch !== undefined) pt.chassis = ch
        participants.push(pt)
      }
      // Sorted in place: the order is total (labels are unique), so the result does not depend on the list's order
      // before, and the list, sorted at the last update, is mostly sorted already.
      const handoffPairs: Record<string, number> = {}
      for (const pair of sortSmall(s.pairList, byPairCount)) handoffPairs[pair.label] = pair.n
      const th = this.ctx.throttle()
      const { suspects, undetermined } = this.rankSuspects(p, s)
      // The base fields written out rather than spread: a literal of one fixed shape, built on every update.
      const sig: ClaimStormSignal = {
        kind: 'claim-storm',
        key: base.key,
        status: base.status,
        startMs: base.startMs,
        lastMs: base.lastMs,
        severity: p.gateway ? 'critical' : 'warning',
        lport: p.lport,
        portClass: p.gateway ? 'gateway' : 'vif',
        claimActs: s.acts,
        handoffs: s.handoffs,
        handoffPairs,
        claimsPerSec: round2(s.acts / seconds),
        peakClaimsPerSec: s.peak,
        participants,
        suspects,
        undetermined,
        throttle: { regime: th.regime, minReclaimIntervalMs: s.minReclaimMs, inferred: th.inferred }
      }
      if (base.resolvedBy === undefined) return sig
      // Resolved (once a storm): `resolvedBy` goes after the base fields, where the lifecycle's base has it.
      const { kind, key, status, startMs, lastMs, ...evidence } = sig
      return { kind, key, status, startMs, lastMs, resolvedBy: base.resolvedBy, ...evidence }
    }
  }

  /**
   * Ranks the nodes of a storm. Evidence, each worth at most the weight shown:
   * hand-off involvement (1), BFD sessions down at either end (1), claiming every port that storms at the same
   * time (2), for a gateway port the previous owner giving it up again and again (1) or for a VIF every chassis
   * other than its owner (1), and re-claiming at the throttle cadence (0.5). Only the order is meaningful.
   */
  private overlapCounts (s: Storm, nodes: string[]): OverlapMemo {
    let m = s.overlap
    if (m === null || m.version !== this.stormsVersion || m.nodes !== nodes.length || !this.memoOverlap) {
      m = { version: this.stormsVersion, seen: 0, nodes: nodes.length, overlapping: 0, claimedIn: new Array<number>(nodes.length).fill(0), pending: [] }
      s.overlap = m
    }
    const count = (memo: OverlapMemo, o: Storm): void => {
      memo.overlapping++
      const claimers = o.claimers
      for (let k = 0; k < claimers.length; k++) {
        const c = claimers[k]
        for (let i = 0; i < nodes.length; i++) if (nodes[i] === c) { memo.claimedIn[i] = (memo.claimedIn[i] as number) + 1; break }
      }
    }
    const overlaps = (o: Storm): boolean => o.startMs <= s.lastMs && o.lastMs >= s.startMs
    if (m.pending.length > 0) {
      let kept = 0
      for (const o of m.pending) {
        if (overlaps(o)) count(m, o)
        else m.pending[kept++] = o
      }
      m.pending.length = kept
    }
    for (; m.seen < this.recentStorms.length; m.seen++) {
      const o = this.recentStorms[m.seen] as Storm
      if (overlaps(o)) count(m, o)
      else m.pending.push(o)
    }
    return m
  }

  private rankSuspects (p: PortState, s: Storm): { suspects: Suspect[], undetermined: boolean } {
    // Scores and reasons by the node's position in `parts` (this runs on every update: arrays, not maps).
    const parts = s.parts.values()
    const nodes = parts.map((ps) => ps.node)
    const score: number[] = new Array<number>(nodes.length).fill(0)
    const reasons: string[][] = nodes.map(() => [])
    const add = (i: number, x: number, why: string): void => {
      score[i] = (score[i] as number) + x;
      (reasons[i] as string[]).push(why)
    }
    // Hand-offs.
    if (s.handoffs >= 2) {
      for (let i = 0; i < nodes.length; i++) {
        const n = nodes[i] as string
        let k = 0
        for (const pair of s.pairList) if (pair.from === n || pair.to === n) k += pair.n
        if (k === 0) continue
        const share = k / s.handoffs
        add(i, share, share >= 0.999 ? `in every hand-off (${k}/${s.handoffs})` : `in ${k} of ${s.handoffs} hand-offs`)
      }
    }
    // BFD sessions that went down around the storm, at either end.
    const downs = this.bfd.evidence(s.startMs - this.opts.bfdEvidenceLookbackMs, s.lastMs)
    if (downs.length > 0) {
      // Per node of the storm: the downs at either end of its sessions, and the first five distinct sessions
      // (four are cited, a fifth means "…"). A storm with a flapping link sees thousands of downs, and this runs on
      // every update: counts and a few references, no string per down.
      const count: number[] = new Array<number>(nodes.length).fill(0)
      const cited: BfdDown[][] = nodes.map(() => [])
      let total = 0
      const credit = (i: number, d: BfdDown): void => {
        count[i] = (count[i] as number) + 1
        total++
        const c = cited[i] as BfdDown[]
        if (c.length === 5) return
        for (const x of c) if (x.node === d.node && x.iface === d.iface) return
        c.push(d)
      }
      for (const d of downs) {
        const local = nodes.indexOf(d.node)
        if (local !== -1) credit(local, d)
        const remote = this.ctx.nodes.remoteOfTunnel(d.iface)
        if (remote === null || remote === d.node) continue
        const far = nodes.indexOf(remote)
        if (far !== -1) credit(far, d)
      }
      for (let i = 0; i < nodes.length; i++) {
        const k = count[i] as number
        if (k === 0) continue
        const c = cited[i] as BfdDown[]
        const list = c.slice(0, 4).map((d) => `${d.node}:${d.iface}`).join(', ')
        add(i, k / total, `BFD went down ${k}× on sessions at either end (${list}${c.length > 4 ? ', …' : ''})`)
      }
    }
    // Ports storming at the same time.
    // One pass over the recent storms: per node, how many overlapping ones it claims in. Each storm lists its
    // claimers, a handful of names: comparing them (mostly identity checks) costs less than a lookup per node.
    const { overlapping, claimedIn } = this.overlapCounts(s, nodes)
    if (overlapping >= 2) {
      for (let i = 0; i < nodes.length; i++) {
        const k = claimedIn[i] as number
        if (k === 0) continue
        add(i, 2 * k / overlapping, k === overlapping
          ? `claims every stormed port (${k}/${overlapping})`
          : `claims ${k} of ${overlapping} stormed ports`)
      }
    }
    // Ownership.
    const owner = s.ownerBefore
    const ownerAt = owner === null ? -1 : nodes.indexOf(owner)
    if (ownerAt !== -1) {
      if (p.gateway) {
        const r = (parts[ownerAt] as PartStats).releases
        if (r >= 2) add(ownerAt, 1, `held the port before the storm and released it ${r} times: it keeps losing sight of the other gateways (link or BFD flapping)`)
      } else {
        for (let i = 0; i < nodes.length; i++) {
          if (i !== ownerAt && (parts[i] as PartStats).claims > 0) add(i, 1, `claims a port bound to ${owner as string} before the storm (duplicate iface-id or missing requested-chassis?)`)
        }
      }
    }
    // Cadence.
    const th = this.ctx.throttle()
    const floor = THROTTLE_INTERVAL_MS[th.regime]
    for (let i = 0; i < nodes.length; i++) {
      const iv = (parts[i] as PartStats).intervals
      if (iv.length < 3) continue
      // Most re-claims inside the cadence band (one pass, no sort).
      const lo = floor === 0 ? 0 : floor * 0.9
      const hi = floor === 0 ? 450 : floor * 1.5
      let inBand = 0
      let sum = 0
      for (let k = 0; k < iv.length; k++) {
        const x = iv[k] as number
        if (x >= lo && x <= hi) { inBand++; sum += x }
      }
      if (inBand * 2 > iv.length) {
        const m = Math.round(sum / inBand)
        add(i, 0.5, floor === 0 ? `re-claims every ~${m} ms (no throttle)` : `re-claims at the throttle cadence (~${m} ms)`)
      }
    }
    const suspects: Suspect[] = []
    for (let i = 0; i < nodes.length; i++) {
      const sc = score[i] as number
      if (sc <= 0) continue
      const n = nodes[i] as string
      const sus: Suspect = { node: n, score: round2(sc), reasons: reasons[i] as string[] }
      const ch = this.ctx.nodes.chassisOf(n)
      if (ch !== undefined) sus.chassis = ch
      suspects.push(sus)
    }
    sortSmall(suspects, byScore)
    const top = suspects[0]
    const second = suspects[1]
    const undetermined = top === undefined || (second !== undefined && top.score - second.score < 0.25 * top.score)
    return { suspects, undetermined }
  }

  // ---- port-flap -------------------------------------------------------------------------------------------

  private renderFlap (p: PortState, f: Flap): (base: RenderBase) => PortFlapSignal {
    return (base) => {
      const seconds = Math.max((f.lastMs - f.startMs) / 1000, 1)
      const sig: PortFlapSignal = {
        kind: 'port-flap',
        ...base,
        severity: 'warning',
        lport: p.lport,
        node: f.node,
        claims: f.claims,
        releases: f.releases,
        cyclesPerSec: round2(Math.min(f.claims, f.releases) / seconds)
      }
      const ofports = this.flapOfports(f.node, p.lport)
      if (ofports !== undefined) sig.ofports = ofports
      return sig
    }
  }

  /** Neutron names a VIF's tap `tap` + the first 11 characters of the port id; some CMSes use the port id itself. */
  private flapOfports (node: string, lport: string): number[] | undefined {
    return this.ofport.ofportsOf(node, `tap${lport.slice(0, 11)}`) ?? this.ofport.ofportsOf(node, lport)
  }

  private evaluateFlap (p: PortState, node: string, t: number, out: Signal[]): void {
    if (p.flap !== null) {
      if (p.flap.node === node) this.lc.touch(p.flap.key, t, this.ctx.watermark, out)
      return
    }
    const from = t - this.opts.flapWindowMs
    let claims = 0
    let first = t
    for (let i = p.acts.length - 1; i >= 0; i--) {
      const a = p.acts[i] as Act
      if (a.t < from) break
      if (a.node !== node) return // another chassis claims it too: a fight, not a flap
      claims++
      first = a.t
    }
    if (claims < this.opts.flapMinCycles) return
    let releases = 0
    for (let i = p.releases.length - 1; i >= 0; i--) {
      const r = p.releases[i] as { t: number, node: string }
      if (r.t < from) break
      if (r.node === node) { releases++; first = Math.min(first, r.t) }
    }
    if (releases < this.opts.flapMinCycles) return
    const f: Flap = { key: `port-flap:${p.lport}@${node}`, node, claims, releases, startMs: first, lastMs: t }
    if (this.lc.fire(f.key, 'port-flap', first, t, this.renderFlap(p, f), () => { p.flap = null }, out)) p.flap = f
  }

  // ---- claim-load ------------------------------------------------------------------------------------------

  private renderLoad (l: LoadState): (base: RenderBase) => ClaimLoadSignal {
    return (base) => ({
      kind: 'claim-load',
      ...base,
      severity: l.peak >= this.opts.loadCriticalClaimsPerSec ? 'critical' : 'warning',
      claimsPerSec: l.claimsPerSec,
      peakClaimsPerSec: l.peak,
      ports: l.ports,
      nodes: l.nodes
    })
  }

  // Acts inside the load window in arrival order, with per-port and per-second counts kept incrementally,
  // so the load check costs O(1) per claim; the lists behind an alert are built only when it is emitted.
  // A one-act port's act has no PortState (null) until the port is promoted. The acts are numbered from the
  // first on; the window holds acts loadStart … loadEnd - 1, act n at index n & loadMask of a ring that doubles
  // when full (a ring, not arrays shifted from the front: no copying, no garbage while the window slides).
  private loadMask = 1023
  private loadTimes = new Float64Array(this.loadMask + 1)
  private loadNodes: string[] = new Array<string>(this.loadMask + 1).fill('')
  private loadPorts: Array<PortState | null> = new Array<PortState | null>(this.loadMask + 1).fill(null)
  private loadStart = 0
  private loadEnd = 0
  /** Acts ever counted: numbers acts, and orders the eviction queue. */
  private actsSoFar (): number { return this.loadEnd }
  // Seconds are counted from the first act's second: epoch seconds are past V8's small-integer range, and a
  // Map keyed by them boxes and hashes a heap number on every claim.
  private readonly loadSeconds = new Map<number, number>()
  private loadBaseSec: number | null = null
  // Acts of the current second not yet in `loadSeconds`: one map update per second of acts, not one per act.
  private addSec = NaN
  private addCount = 0
  private loadPass = 0
  private reclaimedPorts = 0
  private reclaimActs = 0
  private loadTotal = 0

  private loadAdd (p: PortState | null, t: number, node: string): void {
    if (this.loadEnd - this.loadStart > this.loadMask) this.growLoadRing()
    const i = this.loadEnd & this.loadMask
    this.loadTimes[i] = t
    this.loadNodes[i] = node
    this.loadPorts[i] = p
    this.loadEnd++
    this.loadTotal++
    if (p !== null) {
      const c = ++p.loadActs
      if (c === 2) { this.reclaimedPorts++; this.reclaimActs += 2 } else if (c > 2) this.reclaimActs++
    }
    this.loadBaseSec ??= Math.floor(t / 1000)
    const sec = Math.floor(t / 1000) - this.loadBaseSec
    if (sec !== this.addSec) { this.flushAdded(); this.addSec = sec }
    this.addCount++
  }

  /** Applies the acts counted for `addSec` to `loadSeconds` (read only by the load check, which flushes first). */
  private flushAdded (): void {
    if (this.addCount === 0) return
    this.loadSeconds.set(this.addSec, (this.loadSeconds.get(this.addSec) ?? 0) + this.addCount)
    this.addCount = 0
  }

  /** Takes `k` acts off second `sec` of `loadSeconds` (as `k` single decrements would, a missing second stays missing). */
  private dropSecond (sec: number, k: number): void {
    const n = (this.loadSeconds.get(sec) ?? k) - k
    if (n <= 0) this.loadSeconds.delete(sec)
    else this.loadSeconds.set(sec, n)
  }

  private loadPrune (now: number): void {
    this.flushAdded()
    const from = now - this.opts.loadWindowMs
    // Acts leave in arrival order, mostly a second at a time: one map update per run of acts of one second.
    let sec = NaN
    let k = 0
    while (this.loadStart < this.loadEnd && ((this.loadTimes[this.loadStart & this.loadMask] as number) < from || this.loadEnd - this.loadStart > this.opts.maxTrackedPorts * 4)) {
      const i = this.loadStart & this.loadMask
      const t = this.loadTimes[i] as number
      const p = this.loadPorts[i] as PortState | null
      this.loadPorts[i] = null
      this.loadStart++
      this.loadTotal--
      if (p !== null) {
        const c = --p.loadActs
        if (c === 1) { this.reclaimedPorts--; this.reclaimActs -= 2 } else if (c >= 2) this.reclaimActs--
      }
      const s = Math.floor(t / 1000) - (this.loadBaseSec as number)
      if (s !== sec) {
        if (k > 0) this.dropSecond(sec, k)
        sec = s
        k = 0
      }
      k++
    }
    if (k > 0) this.dropSecond(sec, k)
  }

  private growLoadRing (): void {
    const mask = this.loadMask * 2 + 1
    const times = new Float64Array(mask + 1)
    const nodes = new Array<string>(mask + 1).fill('')
    const ps = new Array<PortState | null>(mask + 1).fill(null)
    for (let n = this.loadStart; n < this.loadEnd; n++) {
      times[n & mask] = this.loadTimes[n & this.loadMask] as number
      nodes[n & mask] = this.loadNodes[n & this.loadMask] as string
      ps[n & mask] = this.loadPorts[n & this.loadMask] as PortState | null
    }
    this.loadMask = mask
    this.loadTimes = times
    this.loadNodes = nodes
    this.loadPorts = ps
  }

  evaluateLoad (out: Signal[]): void {
    const now = this.ctx.watermark
    if (now === -Infinity) return
    this.loadPrune(now)
    const windowSec = this.opts.loadWindowMs / 1000
    const holds = this.reclaimedPorts >= this.opts.loadMinPorts && this.reclaimActs / windowSec >= this.opts.loadMinClaimsPerSec &&
      this.loadSeconds.size >= this.opts.loadMinBusySeconds
    if (!holds) return
    const key = 'claim-load:southbound'
    const open = this.load !== null && this.lc.isOpen(key)
    if (open && now - (this.lc.open.get(key)?.lastEmitMs ?? -Infinity) < this.opts.updateIntervalMs) {
      // Still holding, nothing to emit yet: only keep it from going quiet.
      const rec = this.lc.open.get(key)
      if (rec !== undefined && now > rec.lastMs) rec.lastMs = now
      const peak = maxValue(this.loadSeconds)
      if (this.load !== null && peak > this.load.peak) this.load.peak = peak
      return
    }
    // Each port listed once: marked with this pass's stamp rather than hashed into a set, act after act.
    const pass = ++this.loadPass
    const reclaimed: string[] = []
    const nodes = new SmallMap<true>()
    let firstMs = now
    for (let n = this.loadStart; n < this.loadEnd; n++) {
      const i = n & this.loadMask
      const p = this.loadPorts[i] as PortState | null
      if (p === null || p.loadActs < 2) continue
      const node = this.loadNodes[i] as string
      const t = this.loadTimes[i] as number
      if (p.loadPass !== pass) { p.loadPass = pass; reclaimed.push(p.lport) }
      if (nodes.get(node) === undefined) nodes.set(node, true)
      if (t < firstMs) firstMs = t
    }
    const peak = maxValue(this.loadSeconds)
    const claimsPerSec = round2(this.loadTotal / windowSec)
    if (this.load !== null && open) {
      this.load.claimsPerSec = claimsPerSec
      this.load.peak = Math.max(this.load.peak, peak)
      this.load.ports = [...new Set([...this.load.ports, ...reclaimed])].sort().slice(0, MAX_LISTED)
      this.load.nodes = [...new Set([...this.load.nodes, ...nodes.keys()])].sort().slice(0, MAX_LISTED)
      this.lc.touch(key, now, now, out)
      return
    }
    const l: LoadState = { key, claimsPerSec, peak, ports: reclaimed.sort().slice(0, MAX_LISTED), nodes: nodes.keys().sort().slice(0, MAX_LISTED) }
    if (this.lc.fire(key, 'claim-load', firstMs, now, this.renderLoad(l), () => { this.load = null }, out)) this.load = l
  }

  // ---- events ----------------------------------------------------------------------------------------------

  onClaim (e: LportClaimEvent | LportChassisChangeEvent, t: number, node: string, out: Signal[]): void {
    let p = this.trackedPort(e.lport)
    if (p === undefined) {
      if (this.first !== null) { this.addFirstAct(this.first, e, t, node); return }
      p = this.port(e.lport)
    }
    this.prune(p, Math.max(t, p.lastActMs))
    let prev: string | null
    let handoff: boolean
    if (e.kind === 'lport-chassis-change') {
      this.ctx.nodes.learn(node, e.to)
      prev = this.ctx.nodes.nodeOf(e.from)
      handoff = prev !== node
      p.lastContested ??= new SmallMap()
      const last = p.lastContested.get(node)
      if (last !== undefined && t > last) {
        const iv = t - last
        if (iv < RECLAIM_SAMPLE_MAX_MS) {
          this.ctx.addReclaimSample(iv, p.gateway)
          if (p.storm !== null) this.addInterval(p.storm, node, iv)
        }
      }
      if (last === undefined || t > last) p.lastContested.set(node, t)
    } else {
      // An unbound port: the previous owner is whoever claimed it last (hand-off through an unbound moment).
      let before: Act | undefined
      for (let i = p.acts.length - 1; i >= 0; i--) { const a = p.acts[i] as Act; if (a.t <= t) { before = a; break } }
      prev = before?.node ?? null
      handoff = !e.additional && prev !== null && prev !== node
    }
    const a: Act = { t, node, prev, handoff }
    // Most ports of a flood see one act: a one-slot array instead of push's default capacity of 16.
    if (p.acts === NO_ACTS) p.acts = [a]
    else insertSorted(p.acts, a)
    if (t > p.lastActMs) p.lastActMs = t
    this.loadAdd(p, t, node)
    if (p.storm !== null) {
      this.countAct(p.storm, a)
      if (p.storm.rec !== null) this.lc.touchRecord(p.storm.rec, t, this.ctx.watermark, out)
    } else if (handoff) {
      const firstIdx = this.stormCondition(p, p.lastActMs)
      if (firstIdx >= 0) this.openStorm(p, firstIdx, out)
    }
    if (p.flap !== null && p.flap.node === node) { p.flap.claims++; p.flap.lastMs = Math.max(p.flap.lastMs, t) }
    if (p.storm === null || p.flap !== null) this.evaluateFlap(p, node, t, out)
  }

  onRelease (e: LportReleaseEvent, t: number, node: string, out: Signal[]): void {
    const p = this.port(e.lport)
    if (p.releases === NO_RELEASES) p.releases = [{ t, node }]
    else insertSorted(p.releases, { t, node })
    this.prune(p, Math.max(t, p.lastActMs))
    if (p.storm !== null) {
      this.part(p.storm, node).releases++
      if (t > p.storm.lastMs) p.storm.lastMs = t
      this.lc.touch(p.storm.key, t, this.ctx.watermark, out)
    }
    if (p.flap !== null && p.flap.node === node) { p.flap.releases++; p.flap.lastMs = Math.max(p.flap.lastMs, t) }
    this.evaluateFlap(p, node, t, out)
  }

  ports (limit: number): PortSummary[] {
    const out: PortSummary[] = []
    const byRecency = (a: PortState, b: PortState): number => b.lastActMs - a.lastActMs || cmp(a.lport, b.lport)
    const all = [...this.tracked.values()]
    // One-act ports, newest arrival first, until no older arrival can be among the most recent: a port that
    // arrived before port X acted no later than the watermark then, which is at most X's act + allowedLatenessMs.
    const first = this.first
    if (first !== null) {
      const found: PortState[] = []
      let floor = -Infinity
      for (let s = first.newest(); s !== -1; s = first.olderThan(s)) {
        const t = first.time(s)
        if (found.length >= limit && floor > t + this.opts.allowedLatenessMs) break
        found.push({ lport: first.name(s), gateway: false, acts: [{ t, node: first.node(s), prev: first.prev(s), handoff: (first.flags(s) & FIRST_ACT_HANDOFF) !== 0 }], releases: NO_RELEASES, lastActMs: t, lastContested: null, storm: null, flap: null, loadActs: 0, loadPass: 0 })
        if (found.length >= 2 * limit) {
          found.sort(byRecency)
          found.length = limit
          floor = (found[limit - 1] as PortState).lastActMs
        }
      }
      for (const p of found) all.push(p)
    }
    all.sort(byRecency)
    all.length = Math.min(all.length, limit)
    for (const p of all) {
      const from = p.lastActMs - this.opts.stormWindowMs
      const inWin = p.acts.filter((a) => a.t >= from)
      out.push({
        lport: p.lport,
        portClass: isGatewayPort(p.lport) ? 'gateway' : 'vif',
        claimActs: inWin.length,
        handoffs: inWin.filter((a) => a.handoff).length,
        claimants: [...new Set(inWin.map((a) => a.node))].sort(),
        owner: p.acts.at(-1)?.node ?? null,
        releases: p.releases.filter((r) => r.t >= from).length,
        lastMs: p.lastActMs,
        storming: p.storm !== null
      })
    }
    return out
  }

  trackedPorts (): number { return this.tracked.size + (this.first?.size ?? 0) }

  evictions (): number { return this.tracked.evictions + this.firstEvictions }
}
