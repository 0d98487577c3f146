// The core every serve input shares: records → parse → detect → alert records.
//
//   record (object | string) ──parse──▶ ParseResult ──detector.push──▶ Signal ──toAlert──▶ AlertRecord ──serialize──▶ JSON
//                                                 wall clock ──tick──▶ ┘ (quiet storms resolve without new lines)
//
// Pure: no I/O, no timers, no Date.now(). The caller passes the wall clock in, and ships the
// returned alerts to its outputs. Each stage is a seam (`PipelineStages`) so the parser, detector
// and alert modules plug in unchanged and tests can substitute any of them.
import type { ParseResult, Severity, Signal, SignalKind, SignalStatus } from './types.js'
import { SkimmedLine, type RecordSkim } from './parse/record-skim.js'

/** The detector surface the pipeline drives (src/detect's `createDetector()` satisfies it). */
export interface DetectorLike {
  push (result: ParseResult): Signal[]
  tick (nowMs: number): Signal[]
  flush (): Signal[]
}

export interface PipelineStages {
  /** One decoded record (object, or a bare string line) → zero or more results (a stateful line parser may hold one back). */
  parse (record: unknown): ParseResult[]
  /**
   * One decoded non-string record (what `parse` does for it) → its one result, without the array: the
   * per-record path of a network input, called as a plain function (no `this`). Optional; without it `parse`
   * is used for every record.
   */
  parseObject? (record: unknown): ParseResult
  /**
   * Which records a decoder may hand over as a SkimmedLine instead (src/parse/record-skim.ts): only the
   * stages know what their parser makes of a record. Absent or null: every record is decoded.
   */
  recordSkim?: RecordSkim | null
  /** Results the parser still holds (multi-line continuation, CRI partial) at shutdown. */
  flushParse? (): ParseResult[]
  detector: DetectorLike
  toAlert (signal: Signal): object
  serialize (alert: object): string
}

/** One alert ready for every output: the object (Forward) and its JSON text (NDJSON, HTTP). */
export interface PipelineAlert {
  signal: Signal
  record: object
  /** Serialized on first read, once: a Forward-only serve never needs it. */
  readonly json: string
}

export interface PipelineStats {
  records: number
  events: number
  eventsByKind: Record<string, number>
  unparsed: number
  unparsedByCode: Record<string, number>
  /** `${kind}|${status}` → count. */
  alerts: Record<string, number>
  /** Open signals (fired, not yet resolved) by kind. */
  active: Record<string, number>
  /** Highest severity of any alert so far, or null. */
  maxSeverity: Severity | null
  /** Latest event time seen (epoch ms), or null before the first timed event. */
  maxEventMs: number | null
}

export interface Pipeline {
  /** Feed decoded records; `wallNowMs` anchors the event clock (see `eventClockMs`). */
  push (records: Iterable<unknown>, wallNowMs: number): PipelineAlert[]
  /** Advance the detector's clock from the wall clock so quiet conditions resolve. */
  tick (wallNowMs: number): PipelineAlert[]
  /** Shutdown: drain the parser, then resolve everything still open (`resolvedBy: 'shutdown'`). */
  flush (): PipelineAlert[]
  /** The detector clock for a wall time: max event time seen + wall time elapsed since it was seen. */
  eventClockMs (wallNowMs: number): number | null
  readonly stats: PipelineStats
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 }

/**
 * What a SkimmedLine stands for, as the detector sees it: an event of kind `vlog` of a module no rule reads
 * (the detector counts it and looks no further: not its time, not its node). One frozen object for all.
 */
const SKIMMED_EVENT: ParseResult = Object.freeze({ kind: 'vlog', time: null, timeMs: null, seq: null, module: '', level: 'INFO', message: '', source: Object.freeze({ wrapper: 'fluent-bit' }) }) as ParseResult

/** Open signals tracked for the `active` gauge; the detector bounds its own state, this is a safety net. */
const MAX_ACTIVE_KEYS = 100_000

export function createPipeline (stages: PipelineStages): Pipeline {
  const stats: PipelineStats = {
    records: 0,
    events: 0,
    eventsByKind: {},
    unparsed: 0,
    unparsedByCode: {},
    alerts: {},
    active: {},
    maxSeverity: null,
    maxEventMs: null
  }
  const open = new Map<string, SignalKind>()
  // wall time at which maxEventMs was last raised: the event clock runs on from there
  let wallAtMaxMs = 0
  let lastTickMs: number | null = null

  const noteResult = (r: ParseResult, wallNowMs: number): void => {
    if (r.kind === 'unparsed') {
      stats.unparsed++
      stats.unparsedByCode[r.code] = (stats.unparsedByCode[r.code] ?? 0) + 1
      return
    }
    noteEvent(r.kind, r.timeMs ?? r.source.wrapperTimeMs ?? null, wallNowMs)
  }

  const noteEvent = (kind: string, t: number | null, wallNowMs: number): void => {
    stats.events++
    stats.eventsByKind[kind] = (stats.eventsByKind[kind] ?? 0) + 1
    if (t !== null && Number.isFinite(t) && (stats.maxEventMs === null || t > stats.maxEventMs)) {
      stats.maxEventMs = t
      wallAtMaxMs = wallNowMs
    }
  }

  const alertOf = (signal: Signal, record: object): PipelineAlert => {
    let json: string | undefined
    return { signal, record, get json () { return (json ??= stages.serialize(record)) } }
  }

  const toAlerts = (signals: readonly Signal[], out: PipelineAlert[]): void => {
    for (const signal of signals) {
      const record = stages.toAlert(signal)
      out.push(alertOf(signal, record))
      const k = `${signal.kind}|${signal.status}`
      stats.alerts[k] = (stats.alerts[k] ?? 0) + 1
      if (stats.maxSeverity === null || SEVERITY_RANK[signal.severity] > SEVERITY_RANK[stats.maxSeverity]) stats.maxSeverity = signal.severity
      trackOpen(signal.key, signal.kind, signal.status)
    }
  }

  const trackOpen = (key: string, kind: SignalKind, status: SignalStatus): void => {
    if (status === 'resolved') {
      if (open.delete(key)) stats.active[kind] = Math.max(0, (stats.active[kind] ?? 1) - 1)
      return
    }
    if (open.has(key) || open.size >= MAX_ACTIVE_KEYS) return
    open.set(key, kind)
    stats.active[kind] = (stats.active[kind] ?? 0) + 1
  }

  const eventClockMs = (wallNowMs: number): number | null =>
    stats.maxEventMs === null ? null : stats.maxEventMs + Math.max(0, wallNowMs - wallAtMaxMs)

  return {
    stats,
    eventClockMs,
    push (records, wallNowMs) {
      const out: PipelineAlert[] = []
      const parseObject = stages.parseObject
      const detector = stages.detector
      for (const record of records) {
        stats.records++
        if (record instanceof SkimmedLine) {
          // a noise line recognised from its bytes (src/parse/record-skim.ts): the event it would have parsed to
          noteEvent('vlog', record.timeMs, wallNowMs)
          detector.push(SKIMMED_EVENT)
          continue
        }
        if (parseObject !== undefined && typeof record !== 'string') {
          const r = parseObject(record)
          noteResult(r, wallNowMs)
          const signals = detector.push(r)
          if (signals.length > 0) toAlerts(signals, out)
          continue
        }
        for (const r of stages.parse(record)) {
          noteResult(r, wallNowMs)
          toAlerts(detector.push(r), out)
        }
      }
      return out
    },
    tick (wallNowMs) {
      const out: PipelineAlert[] = []
      const now = eventClockMs(wallNowMs)
      // never move the detector's clock backwards (a late record may lower nothing, but be safe)
      if (now === null || (lastTickMs !== null && now <= lastTickMs)) return out
      lastTickMs = now
      toAlerts(stages.detector.tick(now), out)
      return out
    },
    flush () {
      const out: PipelineAlert[] = []
      for (const r of stages.flushParse?.() ?? []) {
        noteResult(r, wallAtMaxMs)
        toAlerts(stages.detector.push(r), out)
      }
      toAlerts(stages.detector.flush(), out)
      return out
    }
  }
}
