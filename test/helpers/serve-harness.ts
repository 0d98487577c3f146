// Helpers for the serve tests: stand-in stages, an in-process serve on port 0, and loopback
// receivers that collect what outputs send.
import * as net from 'node:net'
import * as http from 'node:http'
import { PassThrough } from 'node:stream'
import type { PipelineStages } from '../../src/pipeline.js'
import type { ParseResult, PortFlapSignal } from '../../src/types.js'
import { mergeConfig, type ServeConfig } from '../../src/adapters/config.js'
import { createLogger } from '../../src/adapters/log.js'
import { startServe, type ServeHandle } from '../../src/adapters/serve-runtime.js'

/**
 * Stand-in stages: a record's line is `record.log` (or the string itself); a line containing
 * `FIRE:<id>` fires a port-flap on lport <id>, `CLEAR:<id>` resolves it; flush resolves the rest
 * with resolvedBy 'shutdown'. Alert record = `{ id, status, resolvedBy?, node }`.
 */
export function stubStages (): PipelineStages {
  const open = new Map<string, string>()
  const sig = (id: string, node: string, status: PortFlapSignal['status'], by?: 'shutdown'): PortFlapSignal => ({
    kind: 'port-flap', key: `port-flap:${id}`, status, severity: 'warning', startMs: 1, lastMs: 1, lport: id, node, claims: 1, releases: 1, cyclesPerSec: 1,
    ...(by === undefined ? {} : { resolvedBy: by })
  })
  return {
    parse (rec): ParseResult[] {
      const o = rec as { log?: unknown; kubernetes?: { host?: unknown } } | string
      const line = typeof o === 'string' ? o : typeof o?.log === 'string' ? o.log : null
      const node = typeof o === 'object' && o !== null && typeof o.kubernetes?.host === 'string' ? o.kubernetes.host : 'unknown'
      if (line === null) return [{ kind: 'unparsed', code: 'no-message', text: '', bytes: 0, source: { wrapper: 'json', node } }]
      return [{ kind: 'vlog', time: null, timeMs: 1000, seq: 1, module: 'x', level: 'INFO', message: line, source: { wrapper: 'json', node } }]
    },
    detector: {
      push (r) {
        if (r.kind !== 'vlog') return []
        const f = /FIRE:(\S+)/.exec(r.message)
        if (f?.[1] !== undefined && !open.has(f[1])) { open.set(f[1], r.source.node ?? ''); return [sig(f[1], r.source.node ?? '', 'firing')] }
        const c = /CLEAR:(\S+)/.exec(r.message)
        if (c?.[1] !== undefined && open.has(c[1])) { open.delete(c[1]); return [sig(c[1], r.source.node ?? '', 'resolved')] }
        return []
      },
      tick: () => [],
      flush () {
        const out = [...open].map(([id, node]) => sig(id, node, 'resolved', 'shutdown'))
        open.clear()
        return out
      }
    },
    toAlert: (s) => ({ id: (s as PortFlapSignal).lport, status: s.status, node: (s as PortFlapSignal).node, ...(s.resolvedBy === undefined ? {} : { resolvedBy: s.resolvedBy }) }),
    serialize: (a) => JSON.stringify(a)
  }
}

export interface TestServe {
  handle: ServeHandle
  stdout: string[]
  logs: Array<Record<string, unknown>>
  /** `host:port` / path of input i. */
  addr (i?: number): string
  port (i?: number): number
}

export async function startTestServe (cfg: Partial<ServeConfig>, stages: (c: ServeConfig) => PipelineStages = stubStages, stdin = new PassThrough()): Promise<TestServe> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const out: string[] = []
  const logs: Array<Record<string, unknown>> = []
  let buf = ''
  stdout.on('data', (b: Buffer) => { buf += b.toString(); const parts = buf.split('\n'); buf = parts.pop() ?? ''; out.push(...parts) })
  let ebuf = ''
  stderr.on('data', (b: Buffer) => {
    ebuf += b.toString()
    const parts = ebuf.split('\n'); ebuf = parts.pop() ?? ''
    for (const p of parts) logs.push(JSON.parse(p) as Record<string, unknown>)
  })
  const handle = await startServe(mergeConfig({ tickIntervalMs: 50, shutdownTimeoutMs: 2000, retryInitialMs: 20, retryMaxMs: 100 }, cfg), {
    stdin, stdout, log: createLogger(stderr, { level: 'debug' }), stages
  })
  const addr = (i = 0): string => handle.inputs[i]?.address() ?? ''
  return { handle, stdout: out, logs, addr, port: (i = 0) => Number(addr(i).split(':').pop()) }
}

/** A TCP / unix NDJSON receiver (stands in for Vector's socket source). */
export async function ndjsonReceiver (listenOn: { port: number } | { path: string } = { port: 0 }): Promise<{ lines: string[]; port: number; close: () => Promise<void>; waitFor: (n: number, ms?: number) => Promise<void> }> {
  const lines: string[] = []
  const sockets = new Set<net.Socket>()
  const server = net.createServer((s) => {
    sockets.add(s)
    let buf = ''
    s.on('data', (b) => { buf += b.toString(); const parts = buf.split('\n'); buf = parts.pop() ?? ''; lines.push(...parts) })
    s.on('close', () => sockets.delete(s))
    s.on('error', () => {})
  })
  await new Promise<void>((resolve) => { if ('path' in listenOn) server.listen(listenOn.path, resolve); else server.listen(listenOn.port, '127.0.0.1', resolve) })
  const a = server.address()
  return {
    lines,
    port: typeof a === 'object' && a !== null ? a.port : 0,
    close: async () => { for (const s of sockets) s.destroy(); await new Promise<void>((resolve) => { server.close(() => { resolve() }) }) },
    waitFor: (n, ms = 5000) => waitUntil(() => lines.length >= n, ms, () => `${n} lines (have ${lines.length})`)
  }
}

/** An HTTP receiver answering with `status()` (stands in for Vector's http_server source). */
export async function httpReceiver (status: () => number = () => 200): Promise<{ bodies: string[]; port: number; close: () => Promise<void> }> {
  const bodies: string[] = []
  const server = http.createServer((req, res) => {
    let b = ''
    req.on('data', (c: Buffer) => { b += c.toString() })
    req.on('end', () => {
      const s = status()
      if (s >= 200 && s < 300) bodies.push(b)
      res.writeHead(s).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const a = server.address()
  return { bodies, port: typeof a === 'object' && a !== null ? a.port : 0, close: async () => { server.closeAllConnections(); await new Promise<void>((resolve) => { server.close(() => { resolve() }) }) } }
}

/** `what` names the condition in the timeout error; a function is read when the wait times out (for counts). */
export async function waitUntil (cond: () => boolean, ms = 5000, what: string | (() => string) = 'condition'): Promise<void> {
  const start = Date.now()
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Writes to a fresh TCP/unix connection; resolves when the peer closed it (or `keepOpen`). */
export function connectSend (to: { port: number } | { path: string }, data: string | Buffer): Promise<{ closedByPeer: boolean; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const s = 'path' in to ? net.createConnection(to.path) : net.createConnection(to.port, '127.0.0.1')
    s.on('error', (err: NodeJS.ErrnoException) => { if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err) })
    s.on('connect', () => { s.write(data) })
    s.resume()
    s.on('close', () => { resolve({ closedByPeer: true, socket: s }) })
  })
}

export function fbRecord (line: string, host: string): object {
  return { log: line, stream: 'stdout', kubernetes: { host, pod_name: `ovs-ovn-${host}`, namespace_name: 'kube-system', container_name: 'openvswitch' } }
}

/** One lab scenario as Fluent Bit–style records `{log, stream, kubernetes: {host}}`, all nodes merged by line time. */
export async function labRecords (scenario: string, run = 'sample'): Promise<Array<{ timeMs: number; record: { log: string; stream: string; kubernetes: { host: string } } }>> {
  const { labLogs } = await import('./fixtures.js')
  const out: Array<{ timeMs: number; record: { log: string; stream: string; kubernetes: { host: string } } }> = []
  for (const l of labLogs(run, scenario)) {
    let last = 0
    for (const line of l.lines) {
      // continuation lines carry no timestamp: they travel with the line before them
      const t = /^\d{4}-\d\d-\d\dT[\d:.]+Z/.test(line) ? Date.parse(line.slice(0, 24)) : NaN
      if (Number.isFinite(t) && t > 0) last = t
      out.push({ timeMs: last, record: { log: line, stream: 'stdout', kubernetes: { host: l.node } } })
    }
  }
  // stable sort keeps each file's own order for equal timestamps
  return out.sort((a, b) => a.timeMs - b.timeMs)
}
