// HTTP: NDJSON or JSON-array POST input (Vector `http` sink, Fluent Bit `http` output with
// `format json_lines` or `json`), the /healthz + /metrics listener, and the HTTP alert output
// (Vector `http_server` source, Fluent Bit `http` input).
import * as http from 'node:http'
import * as https from 'node:https'
import { gunzip } from 'node:zlib'
import { StormError } from '../errors.js'
import type { PipelineAlert } from '../pipeline.js'
import type { AlertOutput, InputAdapter, RecordSink } from './contracts.js'
import { emptyInputStats } from './contracts.js'
import { describeAddress } from './ndjson-tcp.js'
import type { Logger } from './log.js'
import { createQueuedOutput, type DeliveryResult, type QueueOptions } from './queued-output.js'

export interface HttpInputOptions {
  /** Largest request body accepted (after gunzip); larger → 413. @default 8388608 */
  maxBodyBytes: number
  /** A request must arrive whole within this time. @default 30000 */
  requestTimeoutMs: number
  /** Keep-alive connections idle this long are closed. @default 300000 */
  idleTimeoutMs: number
  /** Concurrent connections; more are refused (closed at once). @default 256 */
  maxConnections: number
}

export const DEFAULT_HTTP_INPUT_OPTIONS: HttpInputOptions = { maxBodyBytes: 8_388_608, requestTimeoutMs: 30_000, idleTimeoutMs: 300_000, maxConnections: 256 }

type BodyResult = { ok: true; records: unknown[]; lines: number } | { ok: false; error: string }

/** A JSON array of records, or NDJSON (one record per line). All or nothing: one bad line rejects the body. */
export function decodeBody (text: string): BodyResult {
  const trimmed = text.trimStart()
  if (trimmed.startsWith('[')) {
    let v: unknown
    try { v = JSON.parse(trimmed) } catch (err) { return { ok: false, error: `invalid JSON array: ${(err as Error).message}` } }
    if (!Array.isArray(v)) return { ok: false, error: 'not an array' }
    return { ok: true, records: v, lines: v.length }
  }
  const records: unknown[] = []
  let lineNo = 0
  let start = 0
  while (start <= text.length) {
    let nl = text.indexOf('\n', start)
    if (nl === -1) nl = text.length
    const line = text.slice(start, nl)
    start = nl + 1
    lineNo++
    if (line.trim() === '') continue
    try {
      records.push(JSON.parse(line))
    } catch (err) {
      // one pretty-printed JSON object is not NDJSON, but is a fine body
      if (records.length === 0) {
        try {
          const whole: unknown = JSON.parse(text)
          if (whole !== null && typeof whole === 'object') return { ok: true, records: [whole], lines: 1 }
        } catch { /* report the line error */ }
      }
      return { ok: false, error: `line ${lineNo}: ${(err as Error).message}` }
    }
  }
  return { ok: true, records, lines: lineNo }
}

type Route = (req: http.IncomingMessage, res: http.ServerResponse) => boolean

function send (res: http.ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers })
  res.end(text)
}

async function listen (server: http.Server, host: string, port: number, name: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => { reject(new StormError('E_IO', `${name}: cannot listen: ${err.message}`, { cause: err })) })
    server.listen(port, host, resolve)
  })
}

function boundAddress (server: http.Server): string {
  const a = server.address()
  if (a === null) return 'closed'
  if (typeof a === 'string') return a
  return describeAddress({ host: a.address, port: a.port })
}

async function closeServer (server: http.Server, deadlineMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => { server.close(() => { resolve() }) })
  server.closeIdleConnections()
  let timer: NodeJS.Timeout | undefined
  await Promise.race([closed, new Promise<void>((resolve) => { timer = setTimeout(resolve, deadlineMs) })])
  clearTimeout(timer)
  server.closeAllConnections()
}

/** Reads a body up to `max` bytes (gunzipped when `content-encoding: gzip`). */
async function readBody (req: http.IncomingMessage, max: number): Promise<{ ok: true; body: Buffer } | { ok: false; status: number; error: string }> {
  const declared = Number(req.headers['content-length'] ?? NaN)
  if (Number.isFinite(declared) && declared > max) {
    req.resume()
    return { ok: false, status: 413, error: `body over ${max} bytes` }
  }
  const parts: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > max) {
      req.resume()
      return { ok: false, status: 413, error: `body over ${max} bytes` }
    }
    parts.push(chunk)
  }
  let body: Buffer = Buffer.concat(parts)
  const enc = (req.headers['content-encoding'] ?? 'identity').toLowerCase()
  if (enc === 'gzip') {
    try {
      body = await new Promise<Buffer>((resolve, reject) => { gunzip(body, { maxOutputLength: max }, (err, out) => { if (err !== null) reject(err); else resolve(out) }) })
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      return code === 'ERR_BUFFER_TOO_LARGE'
        ? { ok: false, status: 413, error: `decompressed body over ${max} bytes` }
        : { ok: false, status: 400, error: `bad gzip body: ${(err as Error).message}` }
    }
  } else if (enc !== 'identity') {
    return { ok: false, status: 415, error: `unsupported content-encoding ${enc}` }
  }
  return { ok: true, body }
}

/** HTTP input: POST NDJSON or a JSON array to the endpoint's path (any path when it is `/`). */
export async function startHttpInput (
  endpoint: { host: string; port: number; path: string },
  options: HttpInputOptions,
  sink: RecordSink,
  log: Logger,
  name: string
): Promise<InputAdapter> {
  const stats = emptyInputStats()
  const server = http.createServer({ requestTimeout: options.requestTimeoutMs, keepAliveTimeout: options.idleTimeoutMs })
  server.maxConnections = options.maxConnections
  let closing = false
  server.on('connection', (socket) => {
    stats.connections++
    stats.connectionsTotal++
    socket.on('close', () => { stats.connections-- })
  })
  server.on('request', (req, res) => {
    void handle(req, res).catch((err: unknown) => {
      log.error('HTTP input handler failed', { input: name, err })
      if (!res.headersSent) send(res, 500, { error: 'internal error' })
    })
  })
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (endpoint.path !== '/' && path !== endpoint.path) { req.resume(); send(res, 404, { error: 'not found' }); return }
    if (req.method !== 'POST' && req.method !== 'PUT') { req.resume(); send(res, 405, { error: 'POST NDJSON or a JSON array' }, { allow: 'POST, PUT' }); return }
    if (closing) { req.resume(); send(res, 503, { error: 'shutting down' }, { 'retry-after': '5', connection: 'close' }); return }
    if (sink.saturated()) {
      // the sender keeps the records and retries: Fluent Bit and Vector both retry 503
      req.resume()
      send(res, 503, { error: 'pipeline saturated, retry later' }, { 'retry-after': '1' })
      return
    }
    const got = await readBody(req, options.maxBodyBytes)
    if (!got.ok) {
      stats.rejected++
      log.warn('HTTP body refused', { input: name, peer: req.socket.remoteAddress, status: got.status, error: got.error })
      send(res, got.status, { error: got.error }, got.status === 413 ? { connection: 'close' } : {})
      return
    }
    stats.bytes += got.body.length
    const decoded = decodeBody(got.body.toString('utf8'))
    if (!decoded.ok) {
      stats.rejected++
      log.warn('malformed HTTP body, refused', { input: name, peer: req.socket.remoteAddress, error: decoded.error })
      send(res, 400, { error: decoded.error })
      return
    }
    stats.lines += decoded.lines
    stats.records += decoded.records.length
    if (decoded.records.length > 0) sink.accept(decoded.records, 'http')
    send(res, 200, { accepted: decoded.records.length })
  }
  await listen(server, endpoint.host, endpoint.port, name)
  server.on('error', (err) => { log.error('HTTP input error', { input: name, err }) })
  log.info('input listening', { input: name, address: boundAddress(server) })
  return {
    kind: 'http',
    name,
    stats,
    address: () => boundAddress(server),
    async close (deadlineMs) {
      closing = true
      await closeServer(server, deadlineMs)
    }
  }
}

export interface MetricsServer {
  address (): string
  close (deadlineMs: number): Promise<void>
}

/** `/healthz` (200 while running, 503 once shutting down) and `/metrics` (Prometheus text). */
export async function startMetricsServer (
  listenOn: { host: string; port: number },
  handlers: { metrics: () => Promise<{ contentType: string; body: string }>; health: () => { ok: boolean; detail: object } },
  log: Logger
): Promise<MetricsServer> {
  const routes: Route[] = [
    (req, res) => {
      if (req.url !== '/healthz' && req.url !== '/health') return false
      const h = handlers.health()
      send(res, h.ok ? 200 : 503, { status: h.ok ? 'ok' : 'unavailable', ...h.detail })
      return true
    },
    (req, res) => {
      if (req.url !== '/metrics') return false
      handlers.metrics().then(({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType })
        res.end(body)
      }, (err: unknown) => {
        log.error('metrics collection failed', { err })
        send(res, 500, { error: 'metrics failed' })
      })
      return true
    }
  ]
  const server = http.createServer((req, res) => {
    req.resume()
    if (req.method !== 'GET' && req.method !== 'HEAD') { send(res, 405, { error: 'GET only' }); return }
    for (const r of routes) if (r(req, res)) return
    send(res, 404, { error: 'not found: try /healthz or /metrics' })
  })
  await listen(server, listenOn.host, listenOn.port, 'metrics')
  log.info('metrics listening', { address: boundAddress(server) })
  return { address: () => boundAddress(server), close: async (ms) => { await closeServer(server, ms) } }
}

/** POSTs NDJSON batches of alerts; retries network errors, 408, 429 and 5xx with backoff. */
export function createHttpOutput (
  endpoint: { host: string; port: number; path: string; https: boolean },
  queue: QueueOptions,
  log: Logger,
  name: string,
  requestTimeoutMs = 10_000
): AlertOutput {
  const agent = endpoint.https ? new https.Agent({ keepAlive: true, maxSockets: 1 }) : new http.Agent({ keepAlive: true, maxSockets: 1 })
  const request = endpoint.https ? https.request : http.request
  const deliver = (batch: PipelineAlert[]): Promise<DeliveryResult> => new Promise((resolve) => {
    const body = batch.map((a) => a.json).join('\n') + '\n'
    const req = request({
      host: endpoint.host,
      port: endpoint.port,
      path: endpoint.path,
      method: 'POST',
      agent,
      timeout: requestTimeoutMs,
      headers: { 'content-type': 'application/x-ndjson', 'content-length': String(Buffer.byteLength(body)) }
    }, (res) => {
      res.resume()
      const status = res.statusCode ?? 0
      if (status >= 200 && status < 300) { resolve('ok'); return }
      if (status === 408 || status === 429 || status >= 500) { log.debug('HTTP output retryable status', { output: name, status }); resolve('retry'); return }
      log.error('HTTP output refused alerts, dropping them', { output: name, status, alerts: batch.length })
      resolve('drop')
    })
    req.on('timeout', () => { req.destroy(new Error('request timeout')) })
    req.on('error', (err) => { log.debug('HTTP output request failed', { output: name, err }); resolve('retry') })
    req.end(body)
  })
  return createQueuedOutput({ kind: 'http', name, options: queue, log, deliver, dispose () { agent.destroy() } })
}
