// NDJSON over TCP or a unix socket: what Vector's `socket` sink sends with `encoding.codec = "json"`
// and `framing.method = "newline_delimited"`, and what its `socket` source reads back.
import * as net from 'node:net'
import { existsSync, lstatSync, unlinkSync } from 'node:fs'
import { StormError } from '../errors.js'
import type { PipelineAlert } from '../pipeline.js'
import type { AlertOutput, InputAdapter, InputKind, RecordSink } from './contracts.js'
import { emptyInputStats } from './contracts.js'
import { createIntakeGate } from './intake-gate.js'
import { LineSplitter, decodeJsonLine } from './lines.js'
import type { Logger } from './log.js'
import { createQueuedOutput, type DeliveryResult, type QueueOptions } from './queued-output.js'

export type SocketAddress = { host: string; port: number } | { path: string }

export interface NdjsonServerOptions {
  /** Longest NDJSON line accepted; a longer one closes that connection. @default 1048576 */
  maxLineBytes: number
  /** A connection silent this long is closed. @default 300000 */
  idleTimeoutMs: number
  /** Concurrent connections; more are refused. @default 256 */
  maxConnections: number
}

export const DEFAULT_NDJSON_SERVER_OPTIONS: NdjsonServerOptions = { maxLineBytes: 1_048_576, idleTimeoutMs: 300_000, maxConnections: 256 }

export function describeAddress (a: SocketAddress): string {
  return 'path' in a ? a.path : `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`
}

/** Listens for NDJSON records; each line is one JSON record (object, or a string line). */
export async function startNdjsonServer (
  address: SocketAddress,
  options: NdjsonServerOptions,
  sink: RecordSink,
  log: Logger,
  name: string
): Promise<InputAdapter> {
  const kind: InputKind = 'path' in address ? 'unix' : 'tcp'
  const stats = emptyInputStats()
  const sockets = new Set<net.Socket>()
  const server = net.createServer({ pauseOnConnect: false })
  server.maxConnections = options.maxConnections

  server.on('connection', (socket) => {
    sockets.add(socket)
    stats.connections++
    stats.connectionsTotal++
    const peer = socket.remoteAddress === undefined ? kind : `${socket.remoteAddress}:${socket.remotePort ?? 0}`
    const splitter = new LineSplitter(options.maxLineBytes)
    socket.setTimeout(options.idleTimeoutMs)
    socket.on('timeout', () => {
      log.info('closing idle connection', { input: name, peer, idleTimeoutMs: options.idleTimeoutMs })
      socket.destroy()
    })
    socket.on('error', (err) => { log.debug('connection error', { input: name, peer, err }) })
    socket.on('close', () => { sockets.delete(socket); stats.connections-- })
    const take = (lines: string[]): boolean => {
      const records: unknown[] = []
      let bad: string | null = null
      for (const line of lines) {
        stats.lines++
        const d = decodeJsonLine(line)
        if (d === null) continue
        if (!d.ok) { bad = d.error; break }
        records.push(d.record)
      }
      if (records.length > 0) {
        stats.records += records.length
        sink.accept(records, kind)
      }
      if (bad !== null) {
        stats.rejected++
        log.warn('malformed NDJSON record, closing connection', { input: name, peer, error: bad })
        socket.destroy()
        return false
      }
      return true
    }
    // a chunk read while an output is full waits (socket paused) until there is room
    // (held chunks are still handed on if the peer hangs up meanwhile: they were read; not after a fault)
    let faulted = false
    const handle = (chunk: Buffer): boolean => {
      const { lines, overflow } = splitter.push(chunk)
      if (!take(lines)) { faulted = true; return false }
      if (overflow > 0) {
        stats.rejected++
        log.warn('NDJSON line over the size limit, closing connection', { input: name, peer, maxLineBytes: options.maxLineBytes })
        socket.destroy()
        faulted = true
        return false
      }
      return true
    }
    const gate = createIntakeGate(sink, socket, { keep: () => !faulted, reading: () => !socket.destroyed, handle })
    socket.on('data', (chunk: Buffer) => {
      stats.bytes += chunk.length
      gate.push(chunk)
    })
    socket.on('end', () => {
      gate.end(() => {
        if (faulted) return
        const last = splitter.end()
        if (last !== null) take([last])
        socket.end()
      })
    })
  })

  if ('path' in address && existsSync(address.path)) {
    // a socket file left by a previous run blocks listen(); anything else is not ours to remove
    if (lstatSync(address.path).isSocket()) unlinkSync(address.path)
    else throw new StormError('E_IO', `${name}: ${address.path} exists and is not a socket`)
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => { reject(new StormError('E_IO', `${name}: cannot listen: ${err.message}`, { cause: err })) })
    if ('path' in address) server.listen(address.path, resolve)
    else server.listen(address.port, address.host, resolve)
  })
  server.on('error', (err) => { log.error('input server error', { input: name, err }) })
  log.info('input listening', { input: name, address: bound() })

  function bound (): string {
    const a = server.address()
    if (a === null) return 'closed'
    if (typeof a === 'string') return a
    return describeAddress({ host: a.address, port: a.port })
  }

  return {
    kind,
    name,
    stats,
    address: bound,
    async close (deadlineMs) {
      const closed = new Promise<void>((resolve) => { server.close(() => { resolve() }) })
      // half-close: peers see EOF; what they already sent has been processed synchronously
      for (const s of sockets) s.end()
      let timer: NodeJS.Timeout | undefined
      await Promise.race([closed, new Promise<void>((resolve) => { timer = setTimeout(resolve, deadlineMs) })])
      clearTimeout(timer)
      for (const s of sockets) s.destroy()
      if ('path' in address) { try { unlinkSync(address.path) } catch { /* already gone */ } }
    }
  }
}

/** NDJSON alerts to a TCP / unix socket peer (Vector `socket` source), reconnecting with backoff. */
export function createSocketOutput (address: SocketAddress, queue: QueueOptions, log: Logger, name: string, connectTimeoutMs = 5000): AlertOutput {
  let socket: net.Socket | null = null
  const connect = (): Promise<net.Socket | null> => new Promise((resolve) => {
    const s = 'path' in address ? net.createConnection(address.path) : net.createConnection(address.port, address.host)
    const fail = (err: Error): void => {
      log.debug('output connect failed', { output: name, err })
      s.destroy()
      resolve(null)
    }
    s.setTimeout(connectTimeoutMs, () => { fail(new Error('connect timeout')) })
    s.once('error', fail)
    s.once('connect', () => {
      s.removeListener('error', fail)
      s.setTimeout(0)
      s.on('error', (err) => { log.debug('output socket error', { output: name, err }); s.destroy() })
      s.on('close', () => { if (socket === s) socket = null })
      s.resume() // nothing to read; discard whatever the peer says
      resolve(s)
    })
  })
  const deliver = async (batch: PipelineAlert[]): Promise<DeliveryResult> => {
    if (socket === null || socket.destroyed) socket = await connect()
    const s = socket
    if (s === null) return 'retry'
    const text = batch.map((a) => a.json).join('\n') + '\n'
    return await new Promise<DeliveryResult>((resolve) => {
      s.write(text, (err) => {
        if (err !== undefined && err !== null) { s.destroy(); resolve('retry') } else resolve('ok')
      })
    })
  }
  return createQueuedOutput({
    kind: 'path' in address ? 'unix' : 'tcp',
    name,
    options: queue,
    log,
    deliver,
    dispose () { socket?.end(); socket = null }
  })
}
