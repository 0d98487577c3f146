// ForwardServer fed by @fluent-org/logger's FluentClient: every event mode, with and without
// ack, shared_key right and wrong, TLS and mutual TLS; plus hand-built metadata-form and gzip frames.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { connect as tlsConnect } from 'node:tls'
import { Encoder } from '@msgpack/msgpack'
import { FluentClient, FluentSocketEvent } from '@fluent-org/logger'
import type { EventModes, FluentClientOptions } from '@fluent-org/logger'
import { EventTimeValue, eventTimeCodec } from '../src/adapters/forward/decode.js'
import { FIXTURES } from './helpers/fixtures.js'
import { cleanup, collectingServer, flatten, rawClient, until } from './helpers/forward.js'

t.teardown(cleanup)

const TLS = join(FIXTURES, 'tls')
const pem = (f: string): Buffer => readFileSync(join(TLS, f))
const MODES: EventModes[] = ['Message', 'Forward', 'PackedForward', 'CompressedPackedForward']
const enc = new Encoder({ extensionCodec: eventTimeCodec })


async function emitAll (client: FluentClient, n: number, base: number): Promise<void> {
  await client.connect()
  const sends: Array<Promise<void>> = []
  for (let i = 0; i < n; i++) sends.push(client.emit('ovn.test', { i, log: `line ${i}` }, base + i))
  await Promise.all(sends)
}

for (const mode of MODES) {
  for (const ack of [false, true]) {
    t.test(`FluentClient ${mode}${ack ? ' with ack' : ''}`, async (t) => {
      const s = await collectingServer()
      const opts: FluentClientOptions = { eventMode: mode, milliseconds: true, socket: { port: s.port, host: '127.0.0.1', disableReconnect: true }, ...(ack ? { ack: { ackTimeout: 5000 } } : {}) }
      const client = new FluentClient(null, opts)
      const base = 1795333459000
      await emitAll(client, 20, base)
      await until(() => flatten(s.batches).length === 20)
      const got = flatten(s.batches)
      t.strictSame(got.map((r) => r.record), Array.from({ length: 20 }, (_, i) => ({ i, log: `line ${i}` })), 'records in order')
      t.ok(got.every((r, i) => Math.abs(r.time - (base + i) / 1000) < 1e-6), 'EventTime at ms resolution')
      t.ok(got.every((r) => r.tag === 'ovn.test'))
      const wireMode = mode
      t.ok(s.batches.every((b) => b.mode === wireMode), `decoded as ${mode}`)
      if (ack) {
        t.ok(s.batches.every((b) => typeof b.chunk === 'string'), 'every frame carried a chunk')
        t.equal(s.server.counters.acks, s.batches.length, 'one ack per frame (the client resolved on them)')
      } else {
        t.equal(s.server.counters.acks, 0)
      }
      await client.disconnect()
      await s.server.close()
    })
  }
}

t.test('integer (seconds) times from a FluentClient without milliseconds', async (t) => {
  const s = await collectingServer()
  const client = new FluentClient(null, { eventMode: 'Forward', socket: { port: s.port, host: '127.0.0.1', disableReconnect: true } })
  await emitAll(client, 3, 1795333459449)
  await until(() => flatten(s.batches).length === 3)
  t.strictSame(flatten(s.batches).map((r) => r.time), [1795333459, 1795333459, 1795333459])
  await client.disconnect()
  await s.server.close()
})

t.test('FluentClient with the right shared key, and with the wrong one', async (t) => {
  const s = await collectingServer({ sharedKey: 'right-key', serverHostname: 'collector' })
  const good = new FluentClient(null, { eventMode: 'Forward', milliseconds: true, ack: { ackTimeout: 5000 }, security: { sharedKey: 'right-key', clientHostname: 'node-a' }, socket: { port: s.port, host: '127.0.0.1', disableReconnect: true } })
  await good.connect()
  await good.emit('ovn.a', { ok: true }, 1000)
  t.equal(flatten(s.batches).length, 1, 'authenticated client delivered (and was acked)')
  t.equal(s.batches[0]?.peer.clientHostname, 'node-a')
  await good.disconnect()

  const bad = new FluentClient(null, { eventMode: 'Forward', security: { sharedKey: 'wrong-key', clientHostname: 'node-b' }, socket: { port: s.port, host: '127.0.0.1', disableReconnect: true } })
  const errors: Error[] = []
  bad.socketOn(FluentSocketEvent.ERROR, (e: Error) => { errors.push(e) })
  await bad.connect()
  const p = bad.emit('ovn.b', { ok: false }, 1000)
  p.catch(() => {})
  await until(() => s.server.counters.handshakeFailures === 1)
  await until(() => errors.length > 0)
  t.match(errors[0]?.message ?? '', /Authentication failed: shared_key mismatch/, 'client saw PONG false with the reason')
  t.equal(flatten(s.batches).length, 1, 'nothing from the wrong key')
  await bad.shutdown().catch(() => {})
  await s.server.close()
})

t.test('TLS, and mutual TLS', async (t) => {
  const s = await collectingServer({ tls: { cert: pem('server.crt'), key: pem('server.key') } })
  const client = new FluentClient(null, { eventMode: 'PackedForward', milliseconds: true, ack: { ackTimeout: 5000 }, socket: { port: s.port, host: '127.0.0.1', disableReconnect: true, tls: { ca: pem('ca.crt') } } })
  await emitAll(client, 5, 2000)
  t.equal(flatten(s.batches).length, 5)
  t.ok(s.batches.every((b) => b.peer.tls))
  await client.disconnect()
  await s.server.close()

  const m = await collectingServer({ tls: { cert: pem('server.crt'), key: pem('server.key'), ca: pem('ca.crt'), requireClientCert: true } })
  const withCert = new FluentClient(null, { eventMode: 'Forward', milliseconds: true, ack: { ackTimeout: 5000 }, socket: { port: m.port, host: '127.0.0.1', disableReconnect: true, tls: { ca: pem('ca.crt'), cert: pem('client.crt'), key: pem('client.key') } } })
  await emitAll(withCert, 2, 3000)
  t.equal(flatten(m.batches).length, 2, 'client certificate accepted')
  await withCert.disconnect()
  // Without a client certificate the TLS handshake fails and nothing is accepted.
  const bare = tlsConnect({ port: m.port, host: '127.0.0.1', ca: pem('ca.crt') })
  bare.on('error', () => {})
  await new Promise<void>((resolve) => { bare.once('close', () => { resolve() }) ; bare.write(enc.encode(['t', [[1, { x: 1 }]]])) })
  await until(() => m.server.counters.tlsErrors >= 1 || m.logs.some((l) => /TLS/.test(l.msg)))
  t.equal(flatten(m.batches).length, 2, 'nothing from the client without a certificate')
  await m.server.close()
})

t.test('hand-built frames: metadata entry form in every mode, gzip with several members', async (t) => {
  const s = await collectingServer()
  const c = await rawClient(s.port)
  const e1 = [[new EventTimeValue(100, 250_000_000), { source: 'fb' }], { n: 1 }]
  const e2 = [[new EventTimeValue(101, 0), {}], { n: 2 }]
  await c.write(enc.encode(['fwd', [e1, e2]]))
  await c.write(enc.encode(['packed', Buffer.concat([enc.encode(e1), enc.encode(e2)])]))
  await c.write(enc.encode(['gz', Buffer.concat([gzipSync(enc.encode(e1)), gzipSync(enc.encode(e2))]), { compressed: 'gzip', chunk: 'c-gz' }]))
  await c.write(enc.encode(['msg', new EventTimeValue(102, 5), { n: 3 }, { chunk: 'c-msg' }]))
  await until(() => s.batches.length === 4)
  t.strictSame(s.batches.map((b) => [b.tag, b.mode]), [['fwd', 'Forward'], ['packed', 'PackedForward'], ['gz', 'CompressedPackedForward'], ['msg', 'Message']])
  t.strictSame(s.batches[0]?.entries, [{ timeMs: 100250, record: { n: 1 }, metadata: { source: 'fb' } }, { timeMs: 101000, record: { n: 2 }, metadata: {} }])
  t.strictSame(s.batches[2]?.entries.map((e) => e.record), [{ n: 1 }, { n: 2 }])
  t.equal(s.batches[3]?.entries[0]?.timeMs, 102000.000005)
  const acks = await c.waitBytes(21)
  t.ok(acks.includes(Buffer.from('c-gz')) && acks.includes(Buffer.from('c-msg')), 'acks for both chunks')
  c.socket.end()
  await s.server.close()
})


t.test('user/password authentication on top of the shared key', async (t) => {
  const s = await collectingServer({ sharedKey: 'k', serverHostname: 'collector', users: { alice: 'pw1' } })
  const ok = new FluentClient(null, { eventMode: 'Forward', ack: { ackTimeout: 5000 }, security: { sharedKey: 'k', clientHostname: 'node-a', username: 'alice', password: 'pw1' }, socket: { port: s.port, host: '127.0.0.1', disableReconnect: true } })
  await ok.connect()
  await ok.emit('ovn.a', { n: 1 }, 1000)
  t.equal(flatten(s.batches).length, 1, 'right password delivered')
  await ok.disconnect()
  for (const [username, password] of [['alice', 'wrong'], ['mallory', 'pw1'], ['', '']] as Array<[string, string]>) {
    const bad = new FluentClient(null, { eventMode: 'Forward', security: { sharedKey: 'k', clientHostname: 'node-b', username, password }, socket: { port: s.port, host: '127.0.0.1', disableReconnect: true } })
    const errors: Error[] = []
    bad.socketOn(FluentSocketEvent.ERROR, (e: Error) => { errors.push(e) })
    await bad.connect()
    await until(() => errors.length > 0)
    t.match(errors[0]?.message ?? '', /username\/password mismatch/, `${username || '(none)'}/${password || '(none)'} refused`)
    await bad.shutdown().catch(() => {})
  }
  t.equal(s.server.counters.handshakeFailures, 3)
  t.equal(flatten(s.batches).length, 1)
  await s.server.close()
})

t.test('metrics/traces frames (fluent_signal 1, 2) are acked but not delivered; a stray PING is a fault', async (t) => {
  const s = await collectingServer()
  const c = await rawClient(s.port)
  await c.write(enc.encode(['m', [[1, { cmetrics: true }]], { fluent_signal: 1, chunk: 'm1' }]))
  await c.write(enc.encode(['l', [[1, { log: 'x' }]], { fluent_signal: 0, chunk: 'l1' }]))
  const acks = await c.waitBytes(16)
  t.ok(acks.includes(Buffer.from('m1')) && acks.includes(Buffer.from('l1')), 'both acked')
  t.strictSame(s.batches.map((b) => b.tag), ['l'], 'only the log frame delivered')
  t.equal(s.server.counters.framesIgnored, 1)
  await c.write(enc.encode(['PING', 'h', 'salt', 'digest', '', '']))
  await c.closed
  t.equal(s.server.counters.protocolErrors.bad_shape, 1, 'PING without a shared key configured')
  await s.server.close()
})
