// Shared types of the Forward adapter: what the server hands over, its counters and the injected logger.
import type { SkimmedLine } from '../../parse/record-skim.js'

/** Forward protocol event modes (https://github.com/fluent/fluentd/wiki/Forward-Protocol-Specification-v1). */
export type ForwardMode = 'Message' | 'Forward' | 'PackedForward' | 'CompressedPackedForward'

/** One decoded event. */
export interface ForwardEntry {
  /** Event time in epoch milliseconds (EventTime nanoseconds kept as a fraction). */
  timeMs: number
  /** The record; an empty, frozen placeholder when `skimmed` is set. */
  record: Record<string, unknown>
  /** Set when the server skims records (ForwardServerOptions.skimRecords) and this one is noise: what it stands for. */
  skimmed?: SkimmedLine
  /** Present when the entry had Fluent Bit's `[[time, metadata], record]` shape (often `{}`). */
  metadata?: Record<string, unknown>
}

/** Who sent a batch. */
export interface ForwardPeer {
  remoteAddress: string
  remotePort: number
  tls: boolean
  /** Client hostname from the shared_key PING, when a handshake took place. */
  clientHostname?: string
}

/** Every entry of one frame, handed to `onBatch`. */
export interface ForwardBatch {
  tag: string
  mode: ForwardMode
  entries: ForwardEntry[]
  /** The frame's `option.chunk`; when present the server acks it after `onBatch` resolved. */
  chunk?: string
  peer: ForwardPeer
}

/** Why a connection was closed for a protocol fault (the `reason` label of the counter). */
export type ForwardErrorReason =
  | 'bad_msgpack'
  | 'bad_shape'
  | 'bad_mode'
  | 'bad_time'
  | 'bad_record'
  | 'bad_option'
  | 'unsupported_compression'
  | 'bad_gzip'
  | 'frame_too_large'
  | 'decompressed_too_large'
  | 'too_many_entries'
  | 'too_deep'
  | 'truncated'
  | 'auth_required'
  | 'handler_error'

export const FORWARD_ERROR_REASONS: readonly ForwardErrorReason[] = [
  'bad_msgpack', 'bad_shape', 'bad_mode', 'bad_time', 'bad_record', 'bad_option',
  'unsupported_compression', 'bad_gzip', 'frame_too_large', 'decompressed_too_large',
  'too_many_entries', 'too_deep', 'truncated', 'auth_required', 'handler_error'
]

/** A per-frame failure: data, never thrown past the connection that caused it. */
export interface ForwardFault {
  reason: ForwardErrorReason
  detail: string
}

/** pino-compatible subset: `logger.warn({ peer, reason }, 'message')`. */
export interface ForwardLogger {
  info: (obj: object, msg: string) => void
  warn: (obj: object, msg: string) => void
  error: (obj: object, msg: string) => void
}

export const silentLogger: ForwardLogger = {
  info: () => {},
  warn: () => {},
  error: () => {}
}

/** Live counters of a ForwardServer (read them from a Prometheus collect callback). */
export interface ForwardServerCounters {
  connectionsOpen: number
  connectionsTotal: number
  /** Refused because `maxConnections` were open. */
  connectionsRejected: number
  /** Frames whose entries were handed to `onBatch` (handshake messages excluded). */
  frames: number
  records: number
  acks: number
  handshakeFailures: number
  /** TLS handshakes that failed (bad client certificate, plain TCP on a TLS port…). */
  tlsErrors: number
  idleTimeouts: number
  /** Frames acknowledged but not delivered (non-log `fluent_signal`: metrics, traces). */
  framesIgnored: number
  bytesIn: number
  protocolErrors: Record<ForwardErrorReason, number>
}

export function newServerCounters (): ForwardServerCounters {
  const protocolErrors = {} as Record<ForwardErrorReason, number>
  for (const r of FORWARD_ERROR_REASONS) protocolErrors[r] = 0
  return {
    connectionsOpen: 0,
    connectionsTotal: 0,
    connectionsRejected: 0,
    frames: 0,
    records: 0,
    acks: 0,
    handshakeFailures: 0,
    tlsErrors: 0,
    idleTimeouts: 0,
    framesIgnored: 0,
    bytesIn: 0,
    protocolErrors
  }
}
