// Faults close only the connection that caused them: malformed and oversized frames, a gzip bomb,
// a client vanishing mid-frame; plus connection limits, idle timeout and graceful close.
import t, { type Test } from 'tap'
import { gzipSync } from 'node:zlib'
import { Encoder } from '@msgpack/msgpack'
import { eventTimeCodec } from '../src/adapters/forward/decode.js'
import { ForwardServer } from '../src/adapters/forward/server.js'
import { StormError } from '../src/errors.js'
import { capture, cleanup, collectingServer, flatten, rawClient, serverCapture, until } from './helpers/forward.js'
import type { Collecting, RawClient } from './helpers/forward.js'

t.teardown(cleanup)

const enc = new Encoder({ extensionCodec: eventTimeCodec })

/** A bystander connection opened before the fault must still deliver ack.bin and get both acks. */
async function bystanderStillWorks (t: Test, s: Collecting, other: RawClient): Promise<void> {
  const before = flatten(s.batches).length
  await other.write(capture('ack'))
  const acks = await other.waitBytes(60)
  t.ok(acks.equals(serverCapture('ack')), 'the other connection still gets its acks')
  t.equal(flatten(s.batches).length - before, 190, 'and its 190 records')
}

async function faultCase (t: Test, bytes: Uint8Array, reason: string, opts: Parameters<typeof collectingServer>[0] = {}): Promise<Collecting> {
  const s = await collectingServer(opts)
  const other = await rawClient(s.port)
  const bad = await rawClient(s.port)
  await bad.write(bytes)
  await bad.closed
  t.equal(s.server.counters.protocolErrors[reason as keyof typeof s.server.counters.protocolErrors], 1, `counted as ${reason}`)
  const lines = s.logs.filter((l) => l.level !== 'info')
  t.equal(lines.length, 1, 'exactly one log line')
  t.match(lines[0]?.obj, { reason, peer: { remoteAddress: '127.0.0.1' } }, 'structured: reason and peer')
  t.equal(s.batches.length, 0, 'nothing delivered from the bad connection')
  await bystanderStillWorks(t, s, other)
  await s.server.close()
  return s
}

t.test('malformed msgpack', async (t) => {
  await faultCase(t, Buffer.concat([enc.encode('tag').subarray(0, 0), Buffer.from([0x92, 0xa3, 0x74, 0x61, 0x67, 0xc1])]), 'bad_msgpack')
})

t.test('wrong shape (a map instead of an array)', async (t) => {
  await faultCase(t, enc.encode({ hello: 'world' }), 'bad_shape')
})

t.test('unknown mode', async (t) => {
  await faultCase(t, enc.encode(['t', true, {}, {}, {}]), 'bad_mode')
})

t.test('bad time', async (t) => {
  await faultCase(t, enc.encode(['t', [['yesterday', { a: 1 }]]]), 'bad_time')
})

t.test('oversized: a header announcing 1 GiB closes at once', async (t) => {
  // [tag, bin32 1 GiB …]: only the header is sent, the server must not wait for the rest.
  await faultCase(t, Buffer.concat([Buffer.from([0x92]), enc.encode('t'), Buffer.from([0xc6, 0x40, 0, 0, 0, 1, 2, 3])]), 'frame_too_large', { maxFrameBytes: 64 * 1024 })
})

t.test('oversized: a frame growing past maxFrameBytes', async (t) => {
  const entries = Array.from({ length: 2000 }, (_, i) => [i, { log: 'x'.repeat(100) }])
  await faultCase(t, enc.encode(['t', entries]), 'frame_too_large', { maxFrameBytes: 64 * 1024 })
})

t.test('too many entries', async (t) => {
  await faultCase(t, enc.encode(['t', Array.from({ length: 101 }, () => [1, {}])]), 'too_many_entries', { maxEntriesPerFrame: 100 })
})

t.test('gzip bomb: 1 GiB of zeros in ~1 MB stops at maxDecompressedBytes', async (t) => {
  // 1024 gzip members of 1 MiB of zeros each: one valid CompressedPackedForward payload.
  const member = gzipSync(Buffer.alloc(1 << 20))
  const bomb = Buffer.concat(Array.from({ length: 1024 }, () => member))
  t.ok(bomb.length < 2 * 1024 * 1024, `bomb is ${bomb.length} bytes on the wire`)
  const rssBefore = process.memoryUsage().rss
  await faultCase(t, enc.encode(['t', bomb, { compressed: 'gzip', chunk: 'x' }]), 'decompressed_too_large', { maxDecompressedBytes: 32 * 1024 * 1024 })
  const grewMB = (process.memoryUsage().rss - rssBefore) / 1e6
  t.ok(grewMB < 512, `memory grew by ${grewMB.toFixed(0)} MB, far below the 1 GiB the bomb inflates to`)
})

t.test('bad gzip', async (t) => {
  await faultCase(t, enc.encode(['t', Buffer.from('not gzip at all'), { compressed: 'gzip' }]), 'bad_gzip')
})

t.test('a client vanishing mid-frame: no crash, no partial records', async (t) => {
  const s = await collectingServer()
  const other = await rawClient(s.port)
  const bytes = capture('ack')
  // frame 1 (23602 bytes) whole, then half of frame 2, then the client is gone (RST)
  const c = await rawClient(s.port)
  await c.write(bytes.subarray(0, 23602 + 13000))
  await until(() => s.batches.length === 1)
  c.socket.resetAndDestroy()
  await until(() => s.server.counters.protocolErrors.truncated === 1)
  t.equal(flatten(s.batches).length, 90, 'frame 1 delivered, nothing of frame 2')
  // the same in the middle of the first frame, with a clean FIN
  const d = await rawClient(s.port)
  await d.write(bytes.subarray(0, 5000))
  d.socket.end()
  await d.closed
  t.equal(s.server.counters.protocolErrors.truncated, 2)
  t.equal(flatten(s.batches).length, 90)
  await bystanderStillWorks(t, s, other)
  await s.server.close()
})

t.test('maxConnections: the extra connection is refused and counted', async (t) => {
  const s = await collectingServer({ maxConnections: 2 })
  const a = await rawClient(s.port)
  await rawClient(s.port)
  await until(() => s.server.counters.connectionsOpen === 2)
  const c = await rawClient(s.port)
  await c.closed
  t.equal(s.server.counters.connectionsRejected, 1)
  t.equal(s.server.counters.connectionsOpen, 2)
  await a.write(capture('default'))
  await until(() => flatten(s.batches).length === 190)
  t.pass('an admitted connection still works')
  await s.server.close()
})

t.test('idle connections are closed, busy ones are not', async (t) => {
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  const s = await collectingServer({ idleTimeoutMs: 50, onBatch: async () => { await gate } })
  const idle = await rawClient(s.port)
  await idle.closed
  t.equal(s.server.counters.idleTimeouts, 1, 'idle connection closed')
  const busy = await rawClient(s.port)
  await busy.write(capture('ack').subarray(0, 23602))
  await new Promise((r) => setTimeout(r, 200))
  t.notOk(busy.socket.destroyed, 'a connection whose batch is in the handler stays open')
  release()
  const ack = await busy.waitBytes(30)
  t.equal(ack.length, 30, 'and gets its ack')
  await busy.closed
  t.equal(s.server.counters.idleTimeouts, 2)
  await s.server.close()
})

t.test('close(): in-flight batches finish and are acked, then sockets end', async (t) => {
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  let calls = 0
  const s = await collectingServer({ onBatch: async () => { calls++; await gate } })
  const c = await rawClient(s.port)
  await c.write(capture('ack').subarray(0, 23602))
  await until(() => calls === 1)
  const closing = s.server.close()
  await new Promise((r) => setTimeout(r, 50))
  t.equal(c.received().length, 0, 'no ack yet')
  release()
  await closing
  await c.closed
  t.ok(c.received().equals(serverCapture('ack').subarray(0, 30)), 'the in-flight batch was acked before the socket ended')
  await t.rejects(rawClient(s.port), 'no new connections after close')
})

t.test('close() is bounded by closeTimeoutMs', async (t) => {
  const s = await collectingServer({ closeTimeoutMs: 100, onBatch: () => new Promise<void>(() => {}) })
  const c = await rawClient(s.port)
  await c.write(capture('ack').subarray(0, 23602))
  await until(() => s.server.counters.frames === 1)
  await s.server.close()
  await c.closed
  t.equal(c.received().length, 0, 'never acked: the client will resend')
})

t.test('setup errors are StormErrors', async (t) => {
  t.throws(() => new ForwardServer({ onBatch: () => {}, maxFrameBytes: 0 }), StormError)
  t.throws(() => new ForwardServer({ onBatch: () => {}, users: { a: 'b' } }), { code: 'E_CONFIG' })
  t.throws(() => new ForwardServer({ onBatch: () => {}, sharedKey: '' }), { code: 'E_CONFIG' })
  const a = await collectingServer()
  const b = new ForwardServer({ onBatch: () => {} })
  await t.rejects(b.listen({ port: a.port }), { code: 'E_IO' })
  await a.server.close()
})

t.test('close() also waits for a batch whose client already left', async (t) => {
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  let finished = false
  const s = await collectingServer({ onBatch: async () => { await gate; finished = true } })
  const c = await rawClient(s.port)
  await c.write(capture('ack').subarray(0, 23602))
  await until(() => s.server.counters.frames === 1)
  c.socket.destroy()
  await c.closed
  let closed = false
  const closing = s.server.close().then(() => { closed = true })
  await new Promise((r) => setTimeout(r, 50))
  t.equal(closed, false, 'close() still waiting for the handler')
  release()
  await closing
  t.equal(finished, true, 'the handler finished before close() resolved')
  t.equal(s.server.counters.connectionsOpen, 0)
})
