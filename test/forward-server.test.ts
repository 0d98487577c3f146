// Replays the real Fluent Bit 5.1.1 forward captures into ForwardServer over loopback TCP.
import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  FB_DIR, VARIANTS, capture, cleanup, collectingServer, expectedRecords, flatten, maxTimeDiff, rawClient,
  serverCapture, until, withoutTime
} from './helpers/forward.js'
import type { Collecting } from './helpers/forward.js'

t.teardown(cleanup)

// 0 = the whole file in one write. Every capture also goes through the framer in 1-byte reads in
// forward-decode.test.ts; over sockets 1-byte pieces are kept for the exchanges (ack, handshake).
const PIECES = [0, 997, 7]
const PIECES_WITH_1 = [...PIECES, 1]
const index = JSON.parse(readFileSync(join(FB_DIR, 'index.json'), 'utf8')) as {
  variants: Record<string, { client_messages: Array<{ offset: number, length: number }> | unknown }>
}
const NONCE = Buffer.from('3ceee4a745d61a752905175565950d69', 'hex')
const AUTH_SALT = Buffer.from('6947832a1159cceda00459d2f347c526', 'hex')

function received (s: Collecting): number {
  return s.batches.reduce((n, b) => n + b.entries.length, 0)
}

async function checkReplay (t: Test, s: Collecting, variant: string): Promise<void> {
  const expected = expectedRecords(variant)
  await until(() => received(s) >= expected.length)
  const got = flatten(s.batches)
  t.equal(got.length, 190, 'all 190 records')
  t.strictSame(withoutTime(got), withoutTime(expected), 'tags, records (as maps) and metadata as captured, in wire order')
  t.ok(maxTimeDiff(got, expected) < 1e-6, 'times within 1e-6 s')
  const hosts = new Set(got.map((r) => (r.record['kubernetes'] as { host: string }).host))
  t.strictSame([...hosts].sort(), ['gw1', 'gw2'], 'node names from kubernetes.host')
}

for (const variant of VARIANTS.filter((v) => v !== 'ack' && v !== 'shared-key')) {
  t.test(`replay ${variant}.bin`, async (t) => {
    const bytes = capture(variant)
    for (const piece of PIECES) {
      await t.test(piece === 0 ? 'in one write' : `in ${piece}-byte pieces`, async (t) => {
        const s = await collectingServer()
        const c = await rawClient(s.port)
        if (piece === 0) await c.write(bytes)
        else await c.writePieces(bytes, piece)
        c.socket.end()
        await checkReplay(t, s, variant)
        await c.closed
        t.equal(c.received().length, 0, 'no bytes back without chunk option')
        const frames = Array.isArray(index.variants[variant]?.client_messages) ? (index.variants[variant]?.client_messages as unknown[]).length : 190
        t.equal(s.batches.length, frames, 'one batch per frame')
        t.equal(s.server.counters.bytesIn, bytes.length)
        t.equal(s.server.counters.protocolErrors.truncated, 0)
        await s.server.close()
      })
    }
  })
}

t.test('modes and tags as captured', async (t) => {
  const cases: Array<[string, string, number]> = [
    ['default', 'Forward', 2], ['gzip', 'CompressedPackedForward', 2], ['message-mode', 'Message', 190]
  ]
  for (const [variant, mode, frames] of cases) {
    const s = await collectingServer()
    const c = await rawClient(s.port)
    await c.write(capture(variant))
    await until(() => received(s) >= 190)
    t.equal(s.batches.length, frames, `${variant}: ${frames} frames`)
    t.ok(s.batches.every((b) => b.mode === mode), `${variant}: every frame is ${mode}`)
    t.strictSame([...new Set(s.batches.map((b) => b.tag))], variant === 'message-mode' ? ['ovn.gw1', 'ovn.gw2'] : ['kube.gw1.ovn-controller.log', 'kube.gw2.ovn-controller.log'])
    c.socket.destroy()
    await s.server.close()
  }
})

t.test('replay ack.bin: one ack per chunk, in order, byte-exact', async (t) => {
  const bytes = capture('ack')
  const expectedAcks = serverCapture('ack')
  for (const piece of PIECES_WITH_1) {
    await t.test(piece === 0 ? 'whole file (frame 2 before ack 1 is read)' : `in ${piece}-byte pieces`, async (t) => {
      const s = await collectingServer()
      const c = await rawClient(s.port)
      if (piece === 0) await c.write(bytes)
      else await c.writePieces(bytes, piece)
      const acks = await c.waitBytes(expectedAcks.length)
      t.ok(acks.equals(expectedAcks), 'acks equal ack.server.bin')
      t.strictSame(s.batches.map((b) => b.chunk), ['O5RJFJKzi3Mlx4LQo7ITNw==', 'dPkMKpWeRPca5AGmccgc1g=='])
      await checkReplay(t, s, 'ack')
      t.equal(s.server.counters.acks, 2)
      c.socket.end()
      await c.closed
      t.equal(c.received().length, expectedAcks.length, 'nothing else came back')
      await s.server.close()
    })
  }
})

t.test('the ack goes out only after onBatch resolved', async (t) => {
  const bytes = capture('ack')
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  const calls: string[] = []
  const s = await collectingServer({
    onBatch: async (b) => {
      calls.push(b.chunk ?? '')
      if (calls.length === 1) await gate
    }
  })
  const c = await rawClient(s.port)
  await c.write(bytes)
  await until(() => calls.length === 1)
  await new Promise((r) => setTimeout(r, 100))
  t.equal(c.received().length, 0, 'no ack while the first batch is pending')
  t.equal(calls.length, 1, 'frame 2 waits for frame 1 (sequential per connection)')
  release()
  const acks = await c.waitBytes(60)
  t.ok(acks.equals(serverCapture('ack')), 'both acks, in order, after release')
  c.socket.end()
  await s.server.close()
})

t.test('a rejected onBatch closes the connection without an ack', async (t) => {
  const s = await collectingServer({ onBatch: async () => { throw new Error('downstream full') } })
  const c = await rawClient(s.port)
  await c.write(capture('ack'))
  await c.closed
  t.equal(c.received().length, 0, 'no ack')
  t.equal(s.server.counters.protocolErrors.handler_error, 1)
  t.equal(s.server.counters.acks, 0)
  await s.server.close()
})

t.test('replay shared-key.bin with the captured nonce: HELO + PONG byte-exact, 190 records', async (t) => {
  const bytes = capture('shared-key')
  const serverBytes = serverCapture('shared-key')
  for (const piece of PIECES_WITH_1) {
    await t.test(piece === 0 ? 'whole messages' : `in ${piece}-byte pieces`, async (t) => {
      const s = await collectingServer({
        sharedKey: 'claimstorm-test-key',
        serverHostname: 'fwd-capture',
        handshakeSeed: () => ({ nonce: NONCE, authSalt: AUTH_SALT })
      })
      const c = await rawClient(s.port)
      const helo = await c.waitBytes(65)
      t.ok(helo.equals(serverBytes.subarray(0, 65)), 'HELO sent first, as captured')
      const ping = bytes.subarray(0, 300)
      if (piece === 0) await c.write(ping)
      else await c.writePieces(ping, piece)
      const both = await c.waitBytes(serverBytes.length)
      t.ok(both.equals(serverBytes), 'HELO + PONG equal shared-key.server.bin')
      const rest = bytes.subarray(300)
      if (piece === 0) await c.write(rest)
      else await c.writePieces(rest, piece)
      await checkReplay(t, s, 'shared-key')
      t.equal(s.batches[0]?.peer.clientHostname, 'fluent-bit-test')
      t.equal(s.server.counters.handshakeFailures, 0)
      c.socket.end()
      await s.server.close()
    })
  }
})

t.test('replay shared-key.bin against a random nonce: rejected, no records', async (t) => {
  const s = await collectingServer({ sharedKey: 'claimstorm-test-key', serverHostname: 'fwd-capture' })
  const c = await rawClient(s.port)
  await c.waitBytes(1)
  await c.write(capture('shared-key'))
  await c.closed
  const back = c.received()
  t.ok(back.length > 65, 'a PONG came back after HELO')
  t.ok(back.includes(Buffer.from('shared_key mismatch')), 'PONG carries the reason')
  t.equal(back[back.indexOf(Buffer.from('PONG')) + 4], 0xc2, 'PONG auth result is false')
  t.equal(s.batches.length, 0, 'no records accepted')
  t.equal(s.server.counters.handshakeFailures, 1)
  t.equal(s.logs.filter((l) => l.level === 'warn').length, 1, 'one log line')
  await s.server.close()
})

t.test('records before the handshake are refused', async (t) => {
  const s = await collectingServer({ sharedKey: 'k', serverHostname: 'srv' })
  const c = await rawClient(s.port)
  await c.waitBytes(1)
  await c.write(capture('default'))
  await c.closed
  t.equal(s.batches.length, 0)
  t.equal(s.server.counters.protocolErrors.auth_required, 1)
  await s.server.close()
})

t.test('encodeAck: the bytes @msgpack/msgpack gives for {ack: chunk}, at every str header size', async (t) => {
  const { encodeAck } = await import('../src/adapters/forward/handshake.js')
  const { Encoder } = await import('@msgpack/msgpack')
  const enc = new Encoder()
  for (const n of [0, 1, 22, 24, 31, 32, 255, 256, 65535, 65536]) {
    const chunk = 'x'.repeat(n)
    t.strictSame(Buffer.from(encodeAck(chunk)), Buffer.from(enc.encode({ ack: chunk })), `${n} bytes`)
  }
  for (const chunk of ['é', 'ü'.repeat(16), '😀'.repeat(70), 'YWJj+/8=']) t.strictSame(Buffer.from(encodeAck(chunk)), Buffer.from(enc.encode({ ack: chunk })), chunk.slice(0, 8))
})
