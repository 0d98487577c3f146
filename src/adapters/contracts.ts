// What inputs and outputs look like to the serve runtime. Inputs hand decoded records to a sink
// and honour its back-pressure; outputs take alerts and keep a bounded queue of their own.
import type { PipelineAlert } from '../pipeline.js'

/** Where inputs deliver decoded records. */
export interface RecordSink {
  /** Hands records to the pipeline (synchronous: parse + detect + enqueue alerts). */
  accept (records: unknown[], input: InputKind): void
  /** True while some output is full: inputs pause reading (TCP) or answer 503 (HTTP). */
  saturated (): boolean
  /** Resolves once the sink is no longer saturated (or is shutting down). */
  ready (): Promise<void>
}

export type InputKind = 'forward' | 'tcp' | 'unix' | 'http' | 'stdin'
export type OutputKind = 'forward' | 'tcp' | 'unix' | 'http' | 'stdout'

export interface InputStats {
  /** Connections open now. */
  connections: number
  connectionsTotal: number
  /** NDJSON / raw lines read (Forward counts entries as records only). */
  lines: number
  records: number
  bytes: number
  /** Malformed or oversized frames / lines / bodies that were refused. */
  rejected: number
  /** Forward acks sent. */
  acks: number
}

export interface InputAdapter {
  readonly kind: InputKind
  /** The endpoint as given (shared keys redacted). */
  readonly name: string
  readonly stats: InputStats
  /** Bound address once listening (`host:port` or socket path); null for stdin. */
  address (): string | null
  /** Stop taking new data; finish what is in hand within `deadlineMs`. */
  close (deadlineMs: number): Promise<void>
  /** For finite inputs (stdin): resolves at end of input. */
  readonly ended?: Promise<void>
  /** Connections closed for a protocol fault, by reason (Forward). */
  protocolErrors? (): Record<string, number>
}

export interface OutputStats {
  /** Alerts handed to this output. */
  accepted: number
  /** Alerts written (socket/stdout) or acknowledged (HTTP 2xx, Forward ack). */
  delivered: number
  /** Delivery attempts that failed and will be retried. */
  retries: number
  /** Alerts dropped because the queue was full (oldest first) or the peer refused them for good. */
  dropped: number
}

export interface AlertOutput {
  readonly kind: OutputKind
  readonly name: string
  readonly stats: OutputStats
  send (alert: PipelineAlert): void
  /** Alerts accepted and not yet delivered. */
  depth (): number
  /** True when the queue is full: the runtime applies back-pressure to inputs. */
  full (): boolean
  /** Called whenever depth falls (the runtime re-checks saturation). */
  onProgress (cb: () => void): void
  /** Deliver what is queued within `deadlineMs`, then release resources. Resolves with the undelivered count. */
  close (deadlineMs: number): Promise<number>
}

export function emptyInputStats (): InputStats {
  return { connections: 0, connectionsTotal: 0, lines: 0, records: 0, bytes: 0, rejected: 0, acks: 0 }
}

export function emptyOutputStats (): OutputStats {
  return { accepted: 0, delivered: 0, retries: 0, dropped: 0 }
}

/** The URL with secrets removed, for logs and metrics. */
export function redactUrl (url: string): string {
  return url.replace(/([?&]shared_key=)[^&]*/g, '$1***')
}
