// ForwardOutput (FluentClient underneath) against ForwardServer on loopback: acks, a peer that is
// down at start or goes away, the drop-oldest bound, retries after a lost ack, shared_key and TLS.
import t from 'tap'
import { createServer, Socket } from 'node:net'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ForwardOutput } from '../src/adapters/forward/output.js'
import type { ForwardOutputOptions } from '../src/adapters/forward/output.js'
import { ForwardServer } from '../src/adapters/forward/server.js'
import type { ForwardBatch } from '../src/adapters/forward/types.js'
import { FIXTURES } from './helpers/fixtures.js'
import { cleanup, collectingServer, flatten, until } from './helpers/forward.js'

t.teardown(cleanup)

const pem = (f: string): Buffer => readFileSync(join(FIXTURES, 'tls', f))
const outputs: ForwardOutput[] = []
t.teardown(async () => { await Promise.all(outputs.map(async (o) => { await o.close(100) })) })

function output (opts: ForwardOutputOptions): ForwardOutput {
  const o = new ForwardOutput({ reconnectDelayMs: 20, reconnectMaxDelayMs: 100, retryDelayMs: 20, ...opts })
  outputs.push(o)
  return o
}

async function freePort (): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => { s.listen(0, '127.0.0.1', resolve) })
  const port = (s.address() as { port: number }).port
  await new Promise<void>((resolve) => { s.close(() => { resolve() }) })
  return port
}

const rec = (i: number): Record<string, unknown> => ({ kind: 'claim_storm', seq: i })
const seqs = (batches: ForwardBatch[]): unknown[] => flatten(batches).map((r) => r.record['seq'])

t.test('records are acked, in order, with the configured tag and time', async (t) => {
  const s = await collectingServer()
  const o = output({ port: s.port })
  for (let i = 0; i < 10; i++) o.send(rec(i), 1795333459449 + i)
  t.equal(await o.flush(5000), true, 'flush: nothing pending')
  t.strictSame(seqs(s.batches), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  t.ok(s.batches.every((b) => b.tag === 'ovn.alert' && b.mode === 'PackedForward' && typeof b.chunk === 'string'))
  t.equal(flatten(s.batches)[3]?.time, 1795333459.452)
  t.strictSame(o.counters, { queued: 10, sent: 10, acked: 10, retries: 0, dropped: 0, failed: 0 })
  t.equal(s.server.counters.acks, s.batches.length, 'one ack per frame')
  t.equal(await o.close(1000), 0)
  await s.server.close()
})

t.test('the records of a tick go out together: one frame, one socket write, one ack', async (t) => {
  const s = await collectingServer()
  const o = output({ port: s.port })
  o.send(rec(0), 1000)
  t.equal(await o.flush(5000), true, 'connected')
  const proto = Socket.prototype as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void }
  const { _write: write, _writev: writev } = proto
  const calls: string[] = []
  // the client's socket only (the server in this process writes the acks)
  proto._write = function (this: Socket, ...a: unknown[]) { if (this.remotePort === s.port) calls.push('write'); write.apply(this, a) }
  proto._writev = function (this: Socket, ...a: unknown[]) { if (this.remotePort === s.port) calls.push(`writev ${(a[0] as unknown[]).length}`); writev.apply(this, a) }
  try {
    for (let i = 1; i <= 10; i++) o.send(rec(i), 1000 + i)
    t.equal(await o.flush(5000), true)
  } finally {
    proto._write = write
    proto._writev = writev
  }
  t.strictSame(seqs(s.batches), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  t.strictSame(calls, ['write'], 'ten records, one write')
  t.strictSame(s.batches.map((b) => b.entries.length), [1, 10], 'one frame per tick')
  t.equal(s.server.counters.acks, 2, 'one ack per frame')
  t.equal(o.counters.acked, 11, 'every record counted as acked')
  await o.close(1000)
  await s.server.close()
})

t.test('records sent within flushIntervalMs share a frame; with 0 each tick has its own', async (t) => {
  for (const flushIntervalMs of [200, 0]) {
    const s = await collectingServer()
    const o = output({ port: s.port, flushIntervalMs })
    o.send(rec(0), 1000)
    t.equal(await o.flush(5000), true, 'connected')
    o.send(rec(1), 1001)
    await new Promise((r) => setTimeout(r, 30))
    o.send(rec(2), 1002)
    await until(() => o.counters.sent === 3)
    t.strictSame(seqs(s.batches), [0, 1, 2])
    t.strictSame(s.batches.map((b) => b.entries.length), flushIntervalMs === 0 ? [1, 1, 1] : [1, 2], `flushIntervalMs ${flushIntervalMs}`)
    await o.close(1000)
    await s.server.close()
  }
})

t.test('downstream down at start, then back: nothing lost, order kept', async (t) => {
  const port = await freePort()
  const o = output({ port, tag: 'alerts' })
  for (let i = 0; i < 50; i++) o.send(rec(i), 1000 + i)
  await new Promise((r) => setTimeout(r, 150))
  t.equal(o.connected, false)
  t.equal(o.pending, 50, 'all 50 waiting')
  const batches: ForwardBatch[] = []
  const server = new ForwardServer({ onBatch: (b) => { batches.push(b) } })
  await server.listen({ port })
  t.equal(await o.flush(5000), true, 'delivered once the peer is up')
  t.strictSame(seqs(batches), Array.from({ length: 50 }, (_, i) => i), 'in order, none lost')
  t.ok(batches.every((b) => b.tag === 'alerts'))
  t.equal(o.counters.dropped, 0)
  // The peer goes away and comes back on the same port.
  await server.close()
  for (let i = 50; i < 60; i++) o.send(rec(i), 1000 + i)
  await new Promise((r) => setTimeout(r, 100))
  const again = new ForwardServer({ onBatch: (b) => { batches.push(b) } })
  await again.listen({ port })
  t.equal(await o.flush(5000), true)
  t.strictSame(seqs(batches), Array.from({ length: 60 }, (_, i) => i), 'the 10 sent while it was away follow, in order')
  t.equal(await o.close(1000), 0)
  await again.close()
})

t.test('bounded queue: the oldest unsent records are dropped and counted', async (t) => {
  const port = await freePort()
  const o = output({ port, maxPendingRecords: 5 })
  for (let i = 0; i < 8; i++) o.send(rec(i), 1000)
  await until(() => o.counters.dropped === 3)
  t.equal(o.pending, 5)
  t.equal(o.full, true, 'full signals back-pressure')
  const batches: ForwardBatch[] = []
  const server = new ForwardServer({ onBatch: (b) => { batches.push(b) } })
  await server.listen({ port })
  t.equal(await o.flush(5000), true)
  t.strictSame(seqs(batches), [3, 4, 5, 6, 7], 'the newest five arrive')
  t.equal(o.full, false)
  await o.close(1000)
  await server.close()
})

t.test('bounded queue over thousands of records: the newest arrive, in order, none twice', async (t) => {
  const port = await freePort()
  const o = output({ port, maxPendingRecords: 3000 })
  for (let i = 0; i < 7000; i++) o.send(rec(i), 1000 + i)
  t.equal(o.counters.dropped, 4000)
  t.equal(o.pending, 3000)
  const batches: ForwardBatch[] = []
  const server = new ForwardServer({ onBatch: (b) => { batches.push(b) } })
  await server.listen({ port })
  t.equal(await o.flush(5000), true)
  t.strictSame(seqs(batches), Array.from({ length: 3000 }, (_, i) => 4000 + i))
  t.strictSame(o.counters, { queued: 7000, sent: 3000, acked: 3000, retries: 0, dropped: 4000, failed: 0 })
  await o.close(1000)
  await server.close()
})

t.test('a lost ack is retried: at-least-once', async (t) => {
  let calls = 0
  const s = await collectingServer({
    onBatch: (b) => {
      calls++
      if (calls === 1) throw new Error('refuse the first one') // connection closed, no ack
      s.batches.push(b)
    }
  })
  const progress: number[] = []
  const o = output({ port: s.port, ackTimeoutMs: 200 })
  o.onProgress(() => { progress.push(o.pending) })
  o.send(rec(1), 1000)
  t.equal(await o.flush(5000), true)
  t.strictSame(seqs(s.batches), [1], 'delivered on a later attempt')
  t.ok(o.counters.retries >= 1, 'retry counted')
  t.equal(o.counters.sent, 1)
  t.strictSame(progress, [0], 'onProgress ran when the record settled')
  await o.close(1000)
  await s.server.close()
})

t.test('a peer that never acks: the records of the frame are given up after the retries, and counted', async (t) => {
  const silent = createServer((so) => { so.resume() }) // reads everything, answers nothing
  await new Promise<void>((resolve) => { silent.listen(0, '127.0.0.1', resolve) })
  t.teardown(() => { silent.close() })
  const o = output({ port: (silent.address() as { port: number }).port, ackTimeoutMs: 50, retryAttempts: 1 })
  o.send(rec(1), 1)
  o.send(rec(2), 2)
  await until(() => o.pending === 0)
  t.equal(o.counters.failed, 2)
  t.equal(o.counters.sent, 0)
  t.equal(o.counters.retries, 2, 'one retry each')
  await o.close(100)
})

t.test('shared_key over TLS, and a wrong key', async (t) => {
  const s = await collectingServer({ sharedKey: 'sekret', serverHostname: 'collector', tls: { cert: pem('server.crt'), key: pem('server.key') } })
  const o = output({ port: s.port, sharedKey: 'sekret', clientHostname: 'claimstorm-test', tls: { ca: pem('ca.crt') } })
  o.send(rec(1), 1000)
  o.send(rec(2), 1001)
  t.equal(await o.flush(5000), true)
  t.strictSame(seqs(s.batches), [1, 2])
  t.equal(s.batches[0]?.peer.clientHostname, 'claimstorm-test')
  t.ok(s.batches[0]?.peer.tls)
  await o.close(1000)

  const logs: string[] = []
  const logger = { info: () => {}, warn: () => {}, error: (_o: object, m: string) => { logs.push(m) } }
  const bad = output({ port: s.port, sharedKey: 'wrong', clientHostname: 'claimstorm-test', tls: { ca: pem('ca.crt') }, logger })
  bad.send(rec(3), 1002)
  await until(() => s.server.counters.handshakeFailures === 1)
  t.equal(await bad.flush(200), false, 'not delivered')
  t.equal(await bad.close(100), 1, 'close reports one undelivered record')
  t.ok(logs.length >= 1, 'the refusal is logged')
  t.strictSame(seqs(s.batches), [1, 2], 'nothing from the wrong key')
  await s.server.close()
})

t.test('close with the peer down reports what was not delivered', async (t) => {
  const o = output({ port: await freePort() })
  o.send(rec(1), 1)
  o.send(rec(2), 2)
  o.send(rec(3), 3)
  t.equal(await o.close(100), 3)
  t.equal(o.counters.dropped, 3)
  o.send(rec(4), 4)
  t.equal(o.counters.dropped, 4, 'sends after close are dropped, not thrown')
})

t.test('options are validated', async (t) => {
  t.throws(() => new ForwardOutput({ maxPendingRecords: 0 }), { code: 'E_CONFIG' })
  t.throws(() => new ForwardOutput({ tag: '' }), { code: 'E_CONFIG' })
})
