// Counters kept by the stateful line parser and printed by `claimstorm parse`.
import type { EventKind, ParseResult, UnparsedCode } from '../types.js'

export interface ParseStats {
  /** Physical lines pushed (a CRI `P` fragment counts as one line). */
  lines: number
  /** Bytes of those lines, without the line terminators. */
  bytes: number
  /** Events emitted. */
  events: number
  eventsByKind: Partial<Record<EventKind, number>>
  /** Unparsed results emitted. */
  unparsed: number
  unparsedByCode: Partial<Record<UnparsedCode, number>>
  /** Continuation lines attached to an event. */
  continuationLines: number
  /** Continuation lines over `maxContinuationLines` / `maxContinuationBytes`, counted and dropped. */
  continuationLinesDropped: number
  /** CRI `P` / Docker partial fragments that were joined with the following ones. */
  partialLines: number
}

export function createStats (): ParseStats {
  return {
    lines: 0,
    bytes: 0,
    events: 0,
    eventsByKind: {},
    unparsed: 0,
    unparsedByCode: {},
    continuationLines: 0,
    continuationLinesDropped: 0,
    partialLines: 0
  }
}

/** Counts one emitted result. */
export function countResult (stats: ParseStats, result: ParseResult): void {
  if (result.kind === 'unparsed') {
    stats.unparsed++
    stats.unparsedByCode[result.code] = (stats.unparsedByCode[result.code] ?? 0) + 1
  } else {
    stats.events++
    stats.eventsByKind[result.kind] = (stats.eventsByKind[result.kind] ?? 0) + 1
  }
}

/** Adds `from` into `into` (several files, one summary). */
export function mergeStats (into: ParseStats, from: ParseStats): ParseStats {
  into.lines += from.lines
  into.bytes += from.bytes
  into.events += from.events
  into.unparsed += from.unparsed
  into.continuationLines += from.continuationLines
  into.continuationLinesDropped += from.continuationLinesDropped
  into.partialLines += from.partialLines
  for (const [k, n] of Object.entries(from.eventsByKind) as Array<[EventKind, number]>) {
    into.eventsByKind[k] = (into.eventsByKind[k] ?? 0) + n
  }
  for (const [k, n] of Object.entries(from.unparsedByCode) as Array<[UnparsedCode, number]>) {
    into.unparsedByCode[k] = (into.unparsedByCode[k] ?? 0) + n
  }
  return into
}

function breakdown (counts: Partial<Record<string, number>>): string {
  const parts = Object.entries(counts)
    .filter((e): e is [string, number] => e[1] !== undefined && e[1] > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${k} ${n}`)
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`
}

/** Human-readable summary, a few lines ending in a newline. */
export function formatStats (stats: ParseStats): string {
  let out = `lines read: ${stats.lines} (${stats.bytes} bytes)\n`
  out += `events: ${stats.events}${breakdown(stats.eventsByKind)}\n`
  out += `unparsed: ${stats.unparsed}${breakdown(stats.unparsedByCode)}\n`
  if (stats.continuationLines > 0 || stats.continuationLinesDropped > 0) {
    out += `continuation lines: ${stats.continuationLines} attached, ${stats.continuationLinesDropped} dropped\n`
  }
  if (stats.partialLines > 0) out += `partial lines joined: ${stats.partialLines}\n`
  return out
}

const KIND_SET: Record<ParseResult['kind'], true> = {
  'lport-claim': true,
  'lport-chassis-change': true,
  'lport-claim-addresses': true,
  'lport-release': true,
  'lport-claim-postponed': true,
  'lport-not-claiming': true,
  'lport-sb-state': true,
  'lport-ovn-installed': true,
  'if-status-claim': true,
  'iface-added': true,
  'iface-deleted': true,
  'port-add-failed': true,
  'ofport-alloc-failed': true,
  'ofproto-nonexistent-port': true,
  'bfd-state-change': true,
  'vlog-dropped': true,
  vlog: true,
  unparsed: true
}

/** Every `ParseResult` kind (the event kinds and `unparsed`). */
export const RESULT_KINDS = Object.keys(KIND_SET) as ReadonlyArray<ParseResult['kind']>

export function isResultKind (value: string): value is ParseResult['kind'] {
  return Object.hasOwn(KIND_SET, value)
}
