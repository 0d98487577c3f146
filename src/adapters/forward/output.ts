// Forward protocol client output: alerts to Fluent Bit / Fluentd through @fluent-org/logger's
// FluentClient, configured (not re-implemented) for acks, reconnect with backoff, event retry
// and PackedForward batching.
//
// Batching: the client runs in PackedForward mode with a flush interval, so the records handed to it
// within `flushIntervalMs` go out as one frame with one chunk id and one ack (one encode of the frame, one
// write, one ack timer), not one of each per record: per alert, Message mode cost tens of microseconds of
// serve's CPU.
// Queue policy: drop-oldest. Records wait here while the connection is not writable (peer away,
// handshake pending, socket buffer full) and go to the client when it is; past `maxPendingRecords`
// waiting the oldest one is dropped and counted. This queue is ours because the client's own limit
// would drop a whole PackedForward batch at once. `full` turns true at the same size so a caller can
// apply back-pressure before anything is dropped. A record whose frame failed (lost ack, write error)
// is retried on its own by the client's retrier, in the next frame.
import { hostname } from 'node:os'
import type { ConnectionOptions } from 'node:tls'
import { EventTime, FluentClient, FluentError, FluentSocketEvent } from '@fluent-org/logger'
import type { FluentClientOptions } from '@fluent-org/logger'
import { StormError } from '../../errors.js'
import { silentLogger } from './types.js'
import type { ForwardLogger } from './types.js'

export interface ForwardOutputOptions {
  /** Peer host. @default '127.0.0.1' */
  host?: string
  /** Peer port. @default 24224 */
  port?: number
  /** Tag of every record sent. @default 'ovn.alert' */
  tag?: string
  /** Wait for the peer's `{ack}` of each frame (at-least-once). @default true */
  ack?: boolean
  /** How long to wait for a frame's ack before its records are retried. @default 10_000 */
  ackTimeoutMs?: number
  /** Records accepted and not yet delivered; past this many waiting for the connection the oldest is dropped. @default 10_000 */
  maxPendingRecords?: number
  /** First reconnect delay; grows by `reconnectBackoff` per failed attempt. @default 500 */
  reconnectDelayMs?: number
  /** Cap of the reconnect delay. @default 30_000 */
  reconnectMaxDelayMs?: number
  /** Multiplier of the reconnect delay. @default 2 */
  reconnectBackoff?: number
  /** Send attempts of one record after the first (ack timeout, write error) before it counts as failed. @default 8 */
  retryAttempts?: number
  /** First retry delay of a record; doubles per attempt, capped by `reconnectMaxDelayMs`. @default 200 */
  retryDelayMs?: number
  /**
   * Records sent within this long leave together, as one PackedForward frame (one write, one ack), or
   * earlier once 1000 are waiting; 0 sends the records of each tick at once. `flush()` sends at once.
   * @default 20
   */
  flushIntervalMs?: number
  /** Close the socket after this long without traffic (it reopens on the next record). @default 60_000 */
  socketIdleTimeoutMs?: number
  /** shared_key of the peer's `<security>` / Fluent Bit `Shared_Key`. @default undefined (no handshake) */
  sharedKey?: string
  /** Our name in PING (must differ from the peer's). @default os.hostname() */
  clientHostname?: string
  /** Username for the peer's user auth (`<user>` / Fluent Bit in_forward `Users`). @default undefined */
  username?: string
  /** Password for the peer's user auth. @default undefined */
  password?: string
  /** TLS connection options (`ca`, `servername`, client `cert`/`key`…); set to use forward over TLS. @default undefined (plain TCP) */
  tls?: ConnectionOptions
  /** Structured logger (pino-compatible). @default silent */
  logger?: ForwardLogger
}

/** Live counters of a ForwardOutput. */
export interface ForwardOutputCounters {
  /** Records handed to `send()`. */
  queued: number
  /** Records delivered: written, and acknowledged when `ack` is on. */
  sent: number
  /** Records acknowledged by the peer (0 when `ack` is off). */
  acked: number
  /** Send attempts that failed and were retried. */
  retries: number
  /** Records dropped by the queue limit (oldest first) or left undelivered at close. */
  dropped: number
  /** Records given up after `retryAttempts`, or refused for good (auth failure). */
  failed: number
}

/** A record waiting for a writable connection. */
interface Waiting { record: Record<string, unknown>; time: EventTime }

/** Forward client output; see ForwardOutputOptions. */
export class ForwardOutput {
  readonly counters: ForwardOutputCounters = { queued: 0, sent: 0, acked: 0, retries: 0, dropped: 0, failed: 0 }
  readonly tag: string
  readonly maxPendingRecords: number
  private readonly client: FluentClient
  private readonly logger: ForwardLogger
  private readonly ack: boolean
  private pendingCount = 0
  /** Records not yet handed to the client, oldest at `waitingHead`. */
  private waiting: Waiting[] = []
  private waitingHead = 0
  private closing = false
  private readonly progress: Array<() => void> = []
  private readonly settled: Array<() => void> = []
  private lastError = ''

  constructor (options: ForwardOutputOptions = {}) {
    const num = (name: string, v: number | undefined, dflt: number, min: number): number => {
      const x = v ?? dflt
      if (!Number.isFinite(x) || x < min) throw new StormError('E_CONFIG', `ForwardOutput: ${name} must be a number >= ${min}, got ${String(v)}`)
      return x
    }
    this.tag = options.tag ?? 'ovn.alert'
    if (this.tag === '') throw new StormError('E_CONFIG', 'ForwardOutput: tag must not be empty')
    if (options.sharedKey === '') throw new StormError('E_CONFIG', 'ForwardOutput: sharedKey must not be empty')
    this.logger = options.logger ?? silentLogger
    this.ack = options.ack ?? true
    this.maxPendingRecords = num('maxPendingRecords', options.maxPendingRecords, 10_000, 1)
    const maxDelay = num('reconnectMaxDelayMs', options.reconnectMaxDelayMs, 30_000, 1)
    const clientOptions: FluentClientOptions = {
      eventMode: 'PackedForward',
      socket: {
        host: options.host ?? '127.0.0.1',
        port: num('port', options.port, 24224, 1),
        timeout: num('socketIdleTimeoutMs', options.socketIdleTimeoutMs, 60_000, 1),
        reconnect: {
          delay: num('reconnectDelayMs', options.reconnectDelayMs, 500, 1),
          backoff: num('reconnectBackoff', options.reconnectBackoff, 2, 1),
          maxDelay
        },
        ...(options.tls !== undefined ? { tls: options.tls } : {})
      },
      ...(this.ack ? { ack: { ackTimeout: num('ackTimeoutMs', options.ackTimeoutMs, 10_000, 1) } } : {}),
      flushInterval: num('flushIntervalMs', options.flushIntervalMs, 20, 0),
      sendQueueIntervalFlushLimit: { length: 1000 },
      eventRetry: {
        attempts: num('retryAttempts', options.retryAttempts, 8, 0),
        delay: num('retryDelayMs', options.retryDelayMs, 200, 0),
        backoff: 2,
        maxDelay,
        onError: (err: Error) => {
          this.counters.retries++
          this.note('warn', err, 'forward output: send failed, retrying')
        }
      },
      ...(options.sharedKey !== undefined
        ? {
            security: {
              sharedKey: options.sharedKey,
              clientHostname: options.clientHostname ?? hostname(),
              ...(options.username !== undefined ? { username: options.username } : {}),
              ...(options.password !== undefined ? { password: options.password } : {})
            }
          }
        : {})
    }
    this.client = new FluentClient(null, clientOptions)
    this.client.socketOn(FluentSocketEvent.ERROR, (err: Error) => {
      const fatal = err instanceof FluentError.AuthError || err instanceof FluentError.UnexpectedMessageError
      this.note(fatal ? 'error' : 'warn', err, fatal ? 'forward output: peer refused us, giving up on this connection' : 'forward output: connection error, will reconnect')
    })
    this.client.socketOn(FluentSocketEvent.ESTABLISHED, () => {
      if (this.lastError !== '') this.logger.info({}, 'forward output: connected')
      this.lastError = ''
    })
    // connected, handshake done, or the socket buffer drained: hand over what waited
    this.client.socketOn(FluentSocketEvent.WRITABLE, () => { this.handOver() })
  }

  /** Records accepted and not yet delivered, dropped or failed. */
  get pending (): number { return this.pendingCount }

  /** True when `pending` reached `maxPendingRecords`: slow down, or the oldest unsent records get dropped. */
  get full (): boolean { return this.pendingCount >= this.maxPendingRecords }

  /** True while the connection to the peer is up (and authenticated). */
  get connected (): boolean { return this.client.writable }

  /** `cb` runs whenever a record settles (delivered, dropped or failed). */
  onProgress (cb: () => void): void { this.progress.push(cb) }

  /** Queues one record; never throws. Delivery, drops and failures show in `counters`. */
  send (record: Record<string, unknown>, timeMs: number): void {
    this.counters.queued++
    if (this.closing) { this.counters.dropped++; return }
    this.pendingCount++
    const ms = Number.isFinite(timeMs) && timeMs >= 0 ? timeMs : 0
    const sec = Math.floor(ms / 1000)
    const nsec = Math.min(999_999_999, Math.round((ms - sec * 1000) * 1e6))
    const time = new EventTime(sec, nsec)
    // in order: straight to the client only when nothing waits before this record
    if (this.waiting.length === this.waitingHead && this.client.writable) { this.emit(record, time); return }
    this.waiting.push({ record, time })
    if (this.waiting.length - this.waitingHead > this.maxPendingRecords) {
      this.waitingHead++ // the oldest waiting record
      this.counters.dropped++
      this.settle()
    }
    this.compactWaiting()
    this.handOver() // `writable` also wakes an idle (timed out) connection
  }

  /** Records waiting for the connection are handed to the client while it is writable; they leave in its next frame. */
  private handOver (): void {
    while (this.waitingHead < this.waiting.length && this.client.writable) {
      const w = this.waiting[this.waitingHead] as Waiting
      this.waiting[this.waitingHead++] = undefined as unknown as Waiting
      this.emit(w.record, w.time)
    }
    this.compactWaiting()
  }

  private compactWaiting (): void {
    if (this.waitingHead === this.waiting.length) {
      if (this.waitingHead > 0) { this.waiting = []; this.waitingHead = 0 }
    } else if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitingHead)
      this.waitingHead = 0
    }
  }

  private emit (record: Record<string, unknown>, time: EventTime): void {
    this.client.emit(this.tag, record, time).then(this.onSent, this.onFailed)
  }

  private readonly onSent = (): void => {
    this.counters.sent++
    if (this.ack) this.counters.acked++
    this.settle()
  }

  private readonly onFailed = (err: unknown): void => {
    if (err instanceof FluentError.DroppedError) this.counters.dropped++
    else {
      this.counters.failed++
      this.note('error', err, 'forward output: record given up')
    }
    this.settle()
  }

  /** Sends what is queued and waits for it to settle; true when nothing is pending within `timeoutMs`. */
  async flush (timeoutMs = 5000): Promise<boolean> {
    this.handOver()
    await this.client.flush()
    return await this.waitIdle(timeoutMs)
  }

  /**
   * Delivers what is pending within `timeoutMs`, then closes the connection for good.
   * Resolves with the number of records left undelivered (counted as dropped).
   */
  async close (timeoutMs = 5000): Promise<number> {
    if (!this.closing) {
      this.closing = true
      await this.flush(timeoutMs)
    }
    const left = this.pendingCount
    // what never reached the client is dropped here; shutdown() rejects what the client still holds
    const dropped = this.waiting.length - this.waitingHead
    this.waiting = []
    this.waitingHead = 0
    for (let i = 0; i < dropped; i++) { this.counters.dropped++; this.settle() }
    await this.client.shutdown().catch(() => {})
    // shutdown() rejects what was still queued or awaiting an ack; let those settle.
    await this.waitIdle(100)
    return left
  }

  private settle (): void {
    this.pendingCount--
    for (const cb of this.progress) cb()
    if (this.pendingCount === 0) for (const w of this.settled.splice(0)) w()
  }

  private async waitIdle (timeoutMs: number): Promise<boolean> {
    if (this.pendingCount === 0) return true
    let timer: NodeJS.Timeout | undefined
    let waiter: (() => void) | undefined
    const done = await Promise.race([
      new Promise<boolean>((resolve) => { waiter = () => { resolve(true) }; this.settled.push(waiter) }),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => { resolve(false) }, timeoutMs) })
    ])
    clearTimeout(timer)
    const i = waiter === undefined ? -1 : this.settled.indexOf(waiter)
    if (i >= 0) this.settled.splice(i, 1)
    return done || this.pendingCount === 0
  }

  // One log line per distinct error in a row, so a peer that is down does not flood the log.
  private note (level: 'warn' | 'error', err: unknown, msg: string): void {
    const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
    if (text === this.lastError) return
    this.lastError = text
    this.logger[level]({ err: text }, msg)
  }
}
