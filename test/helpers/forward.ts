// Helpers for the Forward adapter tests: the captured Fluent Bit bytes, their expected records,
// a collecting server and a replaying client.
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { FIXTURES, readFixture } from './fixtures.js'
import { ForwardServer, type ForwardServerOptions } from '../../src/adapters/forward/server.js'
import type { ForwardBatch } from '../../src/adapters/forward/types.js'

export const FB_DIR = join(FIXTURES, 'fluent-bit-forward')
export const VARIANTS = ['default', 'ack', 'gzip', 'classic', 'time-as-integer', 'message-mode', 'shared-key', 'send-options'] as const
export type Variant = typeof VARIANTS[number]

export interface ExpectedRecord {
  tag: string
  time: number
  record: Record<string, unknown>
  metadata?: Record<string, unknown>
}

export function capture (variant: string): Buffer {
  return readFixture(join(FB_DIR, `${variant}.bin`))
}

export function serverCapture (variant: 'ack' | 'shared-key'): Buffer {
  return readFixture(join(FB_DIR, `${variant}.server.bin`))
}

export function expectedRecords (variant: string): ExpectedRecord[] {
  return readFixture(join(FB_DIR, `${variant}.records.ndjson.gz`)).toString('utf8')
    .split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as ExpectedRecord)
}

/** Batches flattened to the records.ndjson shape (time in float seconds). */
export function flatten (batches: ForwardBatch[]): ExpectedRecord[] {
  const out: ExpectedRecord[] = []
  for (const b of batches) {
    for (const e of b.entries) {
      out.push({ tag: b.tag, time: e.timeMs / 1000, record: e.record, ...(e.metadata !== undefined ? { metadata: e.metadata } : {}) })
    }
  }
  return out
}

/** Largest |time difference| between two equally long record lists (seconds). */
export function maxTimeDiff (a: ExpectedRecord[], b: ExpectedRecord[]): number {
  let m = 0
  for (let i = 0; i < Math.min(a.length, b.length); i++) m = Math.max(m, Math.abs((a[i] as ExpectedRecord).time - (b[i] as ExpectedRecord).time))
  return m
}

export function withoutTime (rs: ExpectedRecord[]): Array<Omit<ExpectedRecord, 'time'>> {
  return rs.map(({ time: _t, ...rest }) => rest)
}

const openServers = new Set<ForwardServer>()
const openSockets = new Set<Socket>()

/** Closes every server and socket the helpers opened (register with a top-level `t.teardown`). */
export async function cleanup (): Promise<void> {
  for (const so of openSockets) so.destroy()
  await Promise.all([...openServers].map(async (srv) => { await srv.close() }))
}

export interface Collecting {
  server: ForwardServer
  port: number
  batches: ForwardBatch[]
  logs: Array<{ level: string, obj: object, msg: string }>
}

/** A ForwardServer on 127.0.0.1:0 that records every batch and log line. */
export async function collectingServer (opts: Partial<ForwardServerOptions> = {}): Promise<Collecting> {
  const batches: ForwardBatch[] = []
  const logs: Collecting['logs'] = []
  const logger = {
    info: (obj: object, msg: string) => { logs.push({ level: 'info', obj, msg }) },
    warn: (obj: object, msg: string) => { logs.push({ level: 'warn', obj, msg }) },
    error: (obj: object, msg: string) => { logs.push({ level: 'error', obj, msg }) }
  }
  const server = new ForwardServer({ onBatch: (b) => { batches.push(b) }, logger, ...opts })
  openServers.add(server)
  const addr = await server.listen({ port: 0 })
  return { server, port: addr.port, batches, logs }
}

/** A connected raw client that keeps everything the server writes back. */
export interface RawClient {
  socket: Socket
  received: () => Buffer
  /** Resolves once at least `n` bytes came back. */
  waitBytes: (n: number, timeoutMs?: number) => Promise<Buffer>
  /** Resolves when the server closed the connection. */
  closed: Promise<void>
  write: (bytes: Uint8Array) => Promise<void>
  writePieces: (bytes: Uint8Array, size: number) => Promise<void>
}

export function rawClient (port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let total = 0
    const waiters: Array<() => void> = []
    const socket = connect({ port, host: '127.0.0.1' })
    openSockets.add(socket)
    socket.on('data', (c: Buffer) => { chunks.push(c); total += c.length; for (const w of waiters.splice(0)) w() })
    socket.on('error', () => {})
    const closed = new Promise<void>((res) => socket.once('close', () => { for (const w of waiters.splice(0)) w(); res() }))
    const write = (bytes: Uint8Array): Promise<void> => new Promise((res) => {
      if (socket.destroyed) { res(); return }
      socket.write(bytes, () => { res() })
    })
    const client: RawClient = {
      socket,
      closed,
      received: () => Buffer.concat(chunks),
      write,
      writePieces: async (bytes, size) => {
        for (let i = 0; i < bytes.length && !socket.destroyed; i += size) await write(bytes.subarray(i, i + size))
      },
      waitBytes: (n, timeoutMs = 5000) => new Promise((res, rej) => {
        const deadline = setTimeout(() => { rej(new Error(`timed out waiting for ${n} bytes, got ${total}`)) }, timeoutMs)
        const check = (): void => {
          if (total >= n || socket.destroyed) { clearTimeout(deadline); res(Buffer.concat(chunks)) } else waiters.push(check)
        }
        check()
      })
    }
    socket.once('connect', () => { resolve(client) })
    socket.once('error', reject)
  })
}

/** Polls until `cond()` holds (for asynchronous delivery), failing after `timeoutMs`. */
export async function until (cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now()
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}
