// Forward protocol receiver (what Fluent Bit's `forward` output and Fluentd's out_forward send).
//
//   socket ──read──▶ FrameBuffer ──whole frame──▶ decodeFrame ──(gunzip, capped)──▶ onBatch ──resolved──▶ {ack}
//            (paused while a batch is being handled: back-pressure, and acks stay in frame order)
//
// A protocol fault closes only the connection that caused it, with one log line and a counter.
import { createServer as createNetServer } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import { hostname } from 'node:os'
import type { AddressInfo, Server, Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { StormError } from '../../errors.js'
import type { RecordSkim } from '../../parse/record-skim.js'
import { FrameBuffer } from './framer.js'
import { decodeFrame, decodePackedEntries, inflate } from './decode.js'
import type { DecodedFrame, DecodeLimits } from './decode.js'
import { checkPing, encodeAck, encodeHelo, newSeed } from './handshake.js'
import type { HandshakeConfig, HandshakeSeed } from './handshake.js'
import { newServerCounters, silentLogger } from './types.js'
import type { ForwardBatch, ForwardEntry, ForwardFault, ForwardLogger, ForwardMode, ForwardPeer, ForwardServerCounters } from './types.js'

export interface ForwardTlsOptions {
  /** PEM certificate chain of the server. */
  cert: string | Buffer
  /** PEM private key of the server. */
  key: string | Buffer
  /** PEM CA(s) that sign client certificates. @default undefined (Node's default CAs) */
  ca?: string | Buffer | Array<string | Buffer>
  /** Ask for a client certificate and reject clients without a valid one (mutual TLS). @default false */
  requireClientCert?: boolean
}

export interface ForwardServerOptions {
  /**
   * Receives every frame's entries. The frame is acknowledged (when it carried a `chunk`) only
   * after the returned promise resolved; a rejection closes the connection without ack, so the
   * client sends the chunk again (at-least-once).
   */
  onBatch: (batch: ForwardBatch) => Promise<void> | void
  /** Structured logger (pino-compatible). @default silent */
  logger?: ForwardLogger
  /** Enables the shared_key handshake: HELO on connect, PING verified, PONG, nothing accepted before. @default undefined (no handshake) */
  sharedKey?: string
  /** Name sent in PONG and hashed into its digest. @default os.hostname() */
  serverHostname?: string
  /** username → password checked in PING (needs `sharedKey`). @default undefined (no user auth) */
  users?: Readonly<Record<string, string>>
  /** Serve Forward over TLS (`forward+tls`). @default undefined (plain TCP) */
  tls?: ForwardTlsOptions
  /** Largest msgpack frame accepted; a header announcing more, or a buffer growing past it, closes the connection. @default 16 MiB */
  maxFrameBytes?: number
  /** Largest gunzipped payload of one CompressedPackedForward frame; inflating stops at this size. @default 64 MiB */
  maxDecompressedBytes?: number
  /** Most entries in one frame. @default 1_000_000 */
  maxEntriesPerFrame?: number
  /**
   * A nested map of a record (the `kubernetes` map Fluent Bit adds) whose bytes were seen before is handed
   * over as the same object again instead of a fresh copy: records then share such maps, so a handler must
   * treat records as read-only. Saves decoding and allocating them per record. @default false
   */
  shareRepeatedMaps?: boolean
  /**
   * Offered the `log` bytes of each record on the fast decode path (src/parse/record-skim.ts): a record it
   * recognises as noise is handed over as a SkimmedLine (its event time) instead of a decoded record.
   * @default null (every record decoded)
   */
  skimRecords?: RecordSkim | null
  /** Close a connection that sent nothing for this long (never while its batch is being handled); 0 disables. @default 300_000 */
  idleTimeoutMs?: number
  /** Connections open at once; further ones are refused and counted. @default 1024 */
  maxConnections?: number
  /** `close()` waits this long for in-flight batches and their acks, then destroys the sockets. @default 5000 */
  closeTimeoutMs?: number
  /** Test hook: the HELO nonce and auth salt of each new connection. @default random 16 bytes each */
  handshakeSeed?: () => HandshakeSeed
}

const MiB = 1024 * 1024
const FAULT_LINGER_MS = 1000

function fault (reason: ForwardFault['reason'], detail: string): ForwardFault {
  return { reason, detail }
}

/** A Forward protocol server; see ForwardServerOptions. */
export class ForwardServer {
  /** Live counters (plain numbers, for a metrics collect callback). */
  readonly counters: ForwardServerCounters = newServerCounters()
  readonly logger: ForwardLogger
  readonly onBatch: ForwardServerOptions['onBatch']
  readonly handshake: HandshakeConfig | undefined
  readonly limits: DecodeLimits
  readonly maxFrameBytes: number
  readonly maxDecompressedBytes: number
  readonly idleTimeoutMs: number
  readonly maxConnections: number
  readonly closeTimeoutMs: number
  readonly tls: boolean
  readonly seed: () => HandshakeSeed
  private readonly server: Server
  private readonly connections = new Set<Connection>()
  private stopping = false

  constructor (options: ForwardServerOptions) {
    if (typeof options.onBatch !== 'function') throw new StormError('E_CONFIG', 'ForwardServer: onBatch must be a function')
    const positive = (name: string, v: number | undefined, dflt: number, allowZero = false): number => {
      const x = v ?? dflt
      if (!Number.isFinite(x) || x < 0 || (!allowZero && x === 0)) throw new StormError('E_CONFIG', `ForwardServer: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(v)}`)
      return x
    }
    this.onBatch = options.onBatch
    this.logger = options.logger ?? silentLogger
    this.maxFrameBytes = positive('maxFrameBytes', options.maxFrameBytes, 16 * MiB)
    this.maxDecompressedBytes = positive('maxDecompressedBytes', options.maxDecompressedBytes, 64 * MiB)
    this.limits = {
      maxEntriesPerFrame: positive('maxEntriesPerFrame', options.maxEntriesPerFrame, 1_000_000),
      ...(options.shareRepeatedMaps === true ? { shareRepeatedMaps: true } : {}),
      ...(options.skimRecords == null ? {} : { skimRecords: options.skimRecords })
    }
    this.idleTimeoutMs = positive('idleTimeoutMs', options.idleTimeoutMs, 300_000, true)
    this.maxConnections = positive('maxConnections', options.maxConnections, 1024)
    this.closeTimeoutMs = positive('closeTimeoutMs', options.closeTimeoutMs, 5000, true)
    if (options.users !== undefined && options.sharedKey === undefined) throw new StormError('E_CONFIG', 'ForwardServer: users need a sharedKey')
    if (options.sharedKey !== undefined) {
      if (options.sharedKey === '') throw new StormError('E_CONFIG', 'ForwardServer: sharedKey must not be empty')
      this.handshake = {
        sharedKey: options.sharedKey,
        serverHostname: options.serverHostname ?? hostname(),
        ...(options.users !== undefined ? { users: options.users } : {})
      }
    }
    const withUsers = options.users !== undefined && Object.keys(options.users).length > 0
    this.seed = options.handshakeSeed ?? (() => newSeed(withUsers))
    this.tls = options.tls !== undefined
    if (options.tls !== undefined) {
      const t = options.tls
      const requireCert = t.requireClientCert ?? false
      this.server = createTlsServer({
        cert: t.cert,
        key: t.key,
        ...(t.ca !== undefined ? { ca: t.ca } : {}),
        requestCert: requireCert,
        rejectUnauthorized: requireCert,
        allowHalfOpen: true
      }, (s) => { this.accept(s) })
      this.server.on('tlsClientError', (err: Error, s: TLSSocket) => {
        this.counters.tlsErrors++
        this.logger.warn({ remoteAddress: s.remoteAddress, remotePort: s.remotePort, err: err.message }, 'forward: TLS handshake failed')
      })
    } else {
      this.server = createNetServer({ allowHalfOpen: true }, (s) => { this.accept(s) })
    }
  }

  /** Starts listening; resolves with the bound address (use port 0 for an ephemeral port). */
  listen (opts: { port?: number, host?: string } = {}): Promise<AddressInfo> {
    const port = opts.port ?? 24224
    const host = opts.host ?? '127.0.0.1'
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(new StormError('E_IO', `forward: cannot listen on ${host}:${port}: ${err.message}`, { cause: err }))
      }
      this.server.once('error', onError)
      this.server.listen(port, host, () => {
        this.server.off('error', onError)
        this.server.on('error', (err) => { this.logger.error({ err: err.message }, 'forward: server error') })
        resolve(this.server.address() as AddressInfo)
      })
    })
  }

  address (): AddressInfo | null {
    const a = this.server.address()
    return a !== null && typeof a === 'object' ? a : null
  }

  /**
   * Stops accepting, lets in-flight batches finish and their acks go out, then ends every
   * connection; sockets still open after `closeTimeoutMs` are destroyed.
   */
  async close (): Promise<void> {
    if (this.stopping) return
    this.stopping = true
    const listening = new Promise<void>((resolve) => {
      if (!this.server.listening) { resolve(); return }
      this.server.close(() => { resolve() })
    })
    const conns = [...this.connections]
    for (const c of conns) c.stop()
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<void>((resolve) => { timer = setTimeout(resolve, this.closeTimeoutMs) })
    await Promise.race([Promise.all(conns.map(async (c) => { await c.closed })), timedOut])
    clearTimeout(timer)
    for (const c of this.connections) c.destroy()
    await listening
  }

  private accept (socket: Socket): void {
    if (this.stopping) { socket.destroy(); return }
    if (this.connections.size >= this.maxConnections) {
      this.counters.connectionsRejected++
      this.logger.warn({ remoteAddress: socket.remoteAddress, remotePort: socket.remotePort, maxConnections: this.maxConnections }, 'forward: connection refused, maxConnections reached')
      socket.destroy()
      return
    }
    this.counters.connectionsTotal++
    this.counters.connectionsOpen++
    const conn = new Connection(this, socket)
    this.connections.add(conn)
    void conn.closed.then(() => {
      this.connections.delete(conn)
      this.counters.connectionsOpen--
    })
  }
}

/** One client connection: framing, optional handshake, sequential batches, acks. */
class Connection {
  /** Resolves once the socket closed and no batch is in the handler any more. */
  readonly closed: Promise<void>
  private readonly srv: ForwardServer
  private readonly socket: Socket
  private readonly framer: FrameBuffer
  private readonly peer: ForwardPeer
  private seed: HandshakeSeed | undefined
  private authenticated: boolean
  private busy = false
  private readEnded = false
  private gone = false
  private stopping = false
  private failed = false
  private finishing = false
  /** Input is over (FIN, close or stop) and every complete frame was handled. */
  private over = false
  private resolveClosed: () => void = () => {}

  constructor (srv: ForwardServer, socket: Socket) {
    this.srv = srv
    this.socket = socket
    this.framer = new FrameBuffer(srv.maxFrameBytes)
    this.peer = { remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0, tls: srv.tls }
    this.authenticated = srv.handshake === undefined
    this.closed = new Promise((resolve) => { this.resolveClosed = resolve })
    socket.once('close', () => {
      this.gone = true
      // Frames already complete are still delivered; only a partial tail is discarded.
      this.pump()
    })
    socket.setNoDelay(true)
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') this.srv.logger.info({ peer: this.peer, err: err.message }, 'forward: socket error')
    })
    socket.on('data', (chunk: Buffer) => { this.onData(chunk) })
    socket.on('end', () => { this.readEnded = true; this.pump() })
    if (srv.idleTimeoutMs > 0) {
      socket.setTimeout(srv.idleTimeoutMs)
      socket.on('timeout', () => { this.onIdle() }) // not setTimeout's callback: that one fires once
    }
    if (srv.handshake !== undefined) {
      this.seed = srv.seed()
      socket.write(encodeHelo(this.seed))
    }
  }

  stop (): void {
    this.stopping = true
    this.socket.pause()
    this.pump()
  }

  destroy (): void {
    this.socket.destroy()
  }

  private onData (chunk: Buffer): void {
    this.srv.counters.bytesIn += chunk.length
    if (this.failed || this.stopping) return
    this.framer.push(chunk)
    this.pump()
  }

  private onIdle (): void {
    if (this.busy || this.failed) return
    this.srv.counters.idleTimeouts++
    this.srv.logger.info({ peer: this.peer, idleTimeoutMs: this.srv.idleTimeoutMs }, 'forward: closing idle connection')
    this.finish()
  }

  /** Processes complete frames one at a time; the next one starts when the previous batch is acked. */
  private pump (): void {
    this.pumpFrames()
    if (this.gone && !this.busy) this.resolveClosed()
  }

  private pumpFrames (): void {
    while (!this.busy && !this.failed) {
      const step = this.framer.next()
      if (step.kind === 'fault') { this.fail(step.fault); return }
      if (step.kind === 'more') {
        if (this.readEnded || this.gone || this.stopping) {
          if (this.over) return
          this.over = true
          if (this.framer.buffered > 0 && !this.stopping) {
            this.srv.counters.protocolErrors.truncated++
            this.srv.logger.info({ peer: this.peer, bytes: this.framer.buffered }, 'forward: connection ended mid-frame, partial frame discarded')
          }
          this.finish()
        }
        return
      }
      const r = decodeFrame(step.bytes, this.srv.limits, step.tops)
      if (!r.ok) { this.fail(r.fault); return }
      this.handle(r.frame)
    }
  }

  private handle (frame: DecodedFrame): void {
    const hs = this.srv.handshake
    if (frame.kind === 'ping') {
      if (hs === undefined || this.authenticated || this.seed === undefined) { this.fail(fault('bad_shape', 'unexpected PING')); return }
      const res = checkPing(frame, this.seed, hs)
      this.write(res.pong)
      if (!res.ok) {
        this.srv.counters.handshakeFailures++
        this.srv.logger.warn({ peer: this.peer, clientHostname: frame.clientHostname, reason: res.reason }, 'forward: shared_key handshake failed, closing connection')
        this.failed = true
        this.finish()
        return
      }
      this.authenticated = true
      this.peer.clientHostname = frame.clientHostname
      return
    }
    if (!this.authenticated) {
      this.srv.counters.handshakeFailures++
      this.fail(fault('auth_required', 'records sent before the shared_key handshake'))
      return
    }
    this.busy = true
    this.socket.pause()
    void this.deliver(frame).then((ok) => {
      this.busy = false
      if (!ok) { this.pump(); return } // only settles `closed`: `failed` stops the frame loop
      // The idle timer may have fired (and been ignored) while the handler ran: re-arm it.
      if (this.srv.idleTimeoutMs > 0) this.socket.setTimeout(this.srv.idleTimeoutMs)
      if (!this.stopping) this.socket.resume()
      this.pump()
    })
  }

  private async deliver (frame: Exclude<DecodedFrame, { kind: 'ping' }>): Promise<boolean> {
    let entries: ForwardEntry[]
    let mode: ForwardMode
    if (frame.kind === 'compressed') {
      const inflated = await inflate(frame.payload, this.srv.maxDecompressedBytes)
      if (!inflated.ok) { this.fail(inflated.fault); return false }
      const d = decodePackedEntries(inflated.bytes, this.srv.limits)
      if (!d.ok) { this.fail(d.fault); return false }
      entries = d.entries
      mode = 'CompressedPackedForward'
    } else {
      entries = frame.entries
      mode = frame.mode
    }
    const chunk = frame.option.chunk
    const signal = frame.option.fluentSignal
    // Metrics and traces (fluent_signal 1, 2) carry no log records: acknowledge, do not deliver.
    if (signal !== undefined && signal !== 0) {
      this.srv.counters.framesIgnored++
    } else if (entries.length > 0) {
      this.srv.counters.frames++
      this.srv.counters.records += entries.length
      const batch: ForwardBatch = { tag: frame.tag, mode, entries, peer: { ...this.peer }, ...(chunk !== undefined ? { chunk } : {}) }
      try {
        await this.srv.onBatch(batch)
      } catch (err) {
        this.fail(fault('handler_error', err instanceof Error ? err.message : String(err)), 'error')
        return false
      }
    }
    if (chunk !== undefined && this.write(encodeAck(chunk))) this.srv.counters.acks++
    return true
  }

  private write (bytes: Uint8Array): boolean {
    if (this.gone || this.socket.destroyed || !this.socket.writable) return false
    this.socket.write(bytes)
    return true
  }

  /** Closes this connection only, with one log line and a counter. */
  private fail (f: ForwardFault, level: 'warn' | 'error' = 'warn'): void {
    if (this.failed) return
    this.failed = true
    this.srv.counters.protocolErrors[f.reason]++
    this.srv.logger[level]({ peer: this.peer, reason: f.reason, detail: f.detail }, 'forward: closing connection after protocol error')
    this.finish()
  }

  /** Ends our side after pending writes; destroys if the peer does not close in time. */
  private finish (): void {
    if (this.gone || this.finishing) return
    this.finishing = true
    this.socket.end()
    this.socket.resume() // drain whatever the peer still sends so its FIN arrives
    setTimeout(() => { this.socket.destroy() }, this.failed ? FAULT_LINGER_MS : this.srv.closeTimeoutMs).unref()
  }
}
