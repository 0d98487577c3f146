// One firing, rate-limited updates, one resolved: the lifecycle every rule shares. Keys are `rule:subject`.
import type { Signal, SignalKind, SignalStatus } from '../types.js'

/** The base fields the lifecycle owns; a rule's `render` adds `severity` and its own fields. */
export interface RenderBase {
  key: string
  status: SignalStatus
  startMs: number
  lastMs: number
  resolvedBy?: 'quiet' | 'shutdown'
}

export type Render = (base: RenderBase) => Signal

export interface OpenRecord {
  key: string
  kind: SignalKind
  startMs: number
  lastMs: number
  lastEmitMs: number
  status: SignalStatus
  render: Render
  onResolve: (() => void) | undefined
}

export interface LifecycleCounters {
  byKind: Record<SignalKind, number>
  byStatus: Record<SignalStatus, number>
  /** Conditions not opened because `maxOpenSignals` were open. */
  refused: number
}

export interface Lifecycle {
  readonly open: Map<string, OpenRecord>
  readonly counters: LifecycleCounters
  isOpen: (key: string) => boolean
  /** Opens `key` and emits `firing`; false when `maxOpenSignals` are already open. */
  fire: (key: string, kind: SignalKind, startMs: number, lastMs: number, render: Render, onResolve: (() => void) | undefined, out: Signal[]) => boolean
  /** New evidence at `lastMs`; emits an `update` when `updateIntervalMs` passed since the last emission. */
  touch: (key: string, lastMs: number, nowMs: number, out: Signal[]) => void
  /** `touch` for a record the rule holds (from `open`), without the lookup by key; the record must still be open. */
  touchRecord: (rec: OpenRecord, lastMs: number, nowMs: number, out: Signal[]) => void
  /** Resolves everything quiet for `quietMs` at `nowMs`. */
  sweep: (nowMs: number, out: Signal[]) => void
  /** Resolves everything still open (`resolvedBy: 'shutdown'`). */
  flush: (out: Signal[]) => void
  /** Current numbers of every open condition, without emitting. */
  current: () => Signal[]
}

export function createLifecycle (opts: { quietMs: number, updateIntervalMs: number, maxOpenSignals: number }): Lifecycle {
  return new LifecycleImpl(opts)
}

/** The lifecycle as a class: methods on the prototype, shared by every detector; state in fields. */
class LifecycleImpl implements Lifecycle {
  readonly open = new Map<string, OpenRecord>()
  readonly counters: LifecycleCounters = {
    byKind: { 'claim-storm': 0, 'claim-load': 0, 'port-flap': 0, 'ofport-exhausted': 0, 'ofport-leak': 0, 'bfd-mass-down': 0 },
    byStatus: { firing: 0, update: 0, resolved: 0 },
    refused: 0
  }

  private readonly opts: { quietMs: number, updateIntervalMs: number, maxOpenSignals: number }

  constructor (opts: { quietMs: number, updateIntervalMs: number, maxOpenSignals: number }) {
    this.opts = opts
  }

  private emit (rec: OpenRecord, status: SignalStatus, out: Signal[], resolvedBy?: 'quiet' | 'shutdown'): void {
    const base: RenderBase = { key: rec.key, status, startMs: rec.startMs, lastMs: rec.lastMs }
    if (resolvedBy !== undefined) base.resolvedBy = resolvedBy
    out.push(rec.render(base))
    rec.status = status
    this.counters.byKind[rec.kind]++
    this.counters.byStatus[status]++
  }

  touchRecord (rec: OpenRecord, lastMs: number, nowMs: number, out: Signal[]): void {
    if (lastMs > rec.lastMs) rec.lastMs = lastMs
    if (nowMs - rec.lastEmitMs >= this.opts.updateIntervalMs) {
      rec.lastEmitMs = nowMs
      this.emit(rec, 'update', out)
    }
  }

  private resolve (rec: OpenRecord, by: 'quiet' | 'shutdown', out: Signal[]): void {
    this.open.delete(rec.key)
    this.emit(rec, 'resolved', out, by)
    rec.onResolve?.()
  }

  isOpen (key: string): boolean { return this.open.has(key) }

  fire (key: string, kind: SignalKind, startMs: number, lastMs: number, render: Render, onResolve: (() => void) | undefined, out: Signal[]): boolean {
    if (this.open.has(key)) return true
    if (this.open.size >= this.opts.maxOpenSignals) { this.counters.refused++; return false }
    const rec: OpenRecord = { key, kind, startMs, lastMs, lastEmitMs: lastMs, status: 'firing', render, onResolve }
    this.open.set(key, rec)
    this.emit(rec, 'firing', out)
    return true
  }

  touch (key: string, lastMs: number, nowMs: number, out: Signal[]): void {
    const rec = this.open.get(key)
    if (rec !== undefined) this.touchRecord(rec, lastMs, nowMs, out)
  }

  sweep (nowMs: number, out: Signal[]): void {
    for (const rec of [...this.open.values()]) {
      if (nowMs - rec.lastMs >= this.opts.quietMs) this.resolve(rec, 'quiet', out)
    }
  }

  flush (out: Signal[]): void {
    for (const rec of [...this.open.values()]) this.resolve(rec, 'shutdown', out)
  }

  current (): Signal[] {
    const out: Signal[] = []
    for (const rec of this.open.values()) out.push(rec.render({ key: rec.key, status: rec.status, startMs: rec.startMs, lastMs: rec.lastMs }))
    return out
  }
}
