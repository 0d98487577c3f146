// Back-pressure across inputs: while an output queue is full, data read by any input waits unprocessed,
// so it cannot push out alerts that are queued (and whose Forward chunk is waiting for its ack).
import t from 'tap'
import * as net from 'node:net'
import { PassThrough } from 'node:stream'
import { FluentClient } from '@fluent-org/logger'
import { ForwardServer } from '../src/adapters/forward/server.js'
import { createIntakeGate } from '../src/adapters/intake-gate.js'
import type { RecordSink } from '../src/adapters/contracts.js'
import { fbRecord, ndjsonReceiver, startTestServe, waitUntil } from './helpers/serve-harness.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => { setTimeout(resolve, ms) })

async function deadPort (): Promise<number> {
  const probe = await ndjsonReceiver()
  const port = probe.port
  await probe.close()
  return port
}

t.test('Forward alerts filling the queue are not evicted by a TCP line read meanwhile; the chunk is acked once they are out', async (t) => {
  const dead = await deadPort()
  const s = await startTestServe({ in: ['forward://127.0.0.1:0', 'tcp://127.0.0.1:0'], out: [`forward://127.0.0.1:${dead}`], maxQueuedAlerts: 2, shutdownTimeoutMs: 500 })
  t.teardown(async () => { await s.handle.stop() })
  const client = new FluentClient('kube', { socket: { host: '127.0.0.1', port: s.port(0) }, eventMode: 'Forward', ack: { ackTimeout: 60_000 } })
  t.teardown(async () => { await client.disconnect().catch(() => {}) })
  let acked = 0
  const sent = [client.emit('x', fbRecord('FIRE:a1', 'gw1')), client.emit('x', fbRecord('FIRE:a2', 'gw1'))].map(async (p) => { await p; acked++ })
  await waitUntil(() => s.handle.outputs[0]?.full() === true, 5000, 'output queue full')
  t.equal(s.handle.inputs[0]?.stats.acks, 0, 'no ack while the alerts of the chunk are stuck')

  const sock = net.createConnection(s.port(1), '127.0.0.1')
  t.teardown(() => { sock.destroy() })
  sock.write(JSON.stringify(fbRecord('FIRE:t1', 'gw2')) + '\n')
  await waitUntil(() => (s.handle.inputs[1]?.stats.bytes ?? 0) > 0, 5000, 'the TCP line read')
  await sleep(200)
  t.equal(s.handle.inputs[1]?.stats.records, 0, 'the TCP line waits, unprocessed')
  t.equal(s.handle.outputs[0]?.stats.dropped, 0, 'nothing evicted')
  t.equal(s.handle.outputs[0]?.depth(), 2)

  // the downstream comes back on the same port
  const got: string[] = []
  const rx = new ForwardServer({ onBatch: (b) => { for (const e of b.entries) got.push((e.record as { id: string }).id) } })
  await rx.listen({ host: '127.0.0.1', port: dead })
  t.teardown(async () => { await rx.close() })
  await waitUntil(() => got.length === 3, 10_000, 'three alerts delivered')
  await Promise.all(sent)
  t.same(got, ['a1', 'a2', 't1'], 'every alert, in order')
  t.equal(acked, 2, 'the Forward records acked')
  t.equal(s.handle.inputs[1]?.stats.records, 1, 'the TCP line processed once there was room')
  t.equal(s.handle.outputs[0]?.stats.dropped, 0)
})

t.test('stdin read while another input filled the queue waits; end of input still processes every held line', async (t) => {
  const dead = await deadPort()
  const stdin = new PassThrough()
  const s = await startTestServe({ in: ['-', 'tcp://127.0.0.1:0'], out: [`tcp://127.0.0.1:${dead}`], maxQueuedAlerts: 1, shutdownTimeoutMs: 3000 }, undefined, stdin)
  const sock = net.createConnection(s.port(1), '127.0.0.1')
  t.teardown(() => { sock.destroy() })
  sock.write(JSON.stringify(fbRecord('FIRE:t1', 'gw2')) + '\n')
  await waitUntil(() => s.handle.outputs[0]?.full() === true, 5000, 'output queue full')
  stdin.write(JSON.stringify(fbRecord('FIRE:s1', 'gw1')) + '\n')
  await sleep(50)
  stdin.write(JSON.stringify(fbRecord('FIRE:s2', 'gw1')) + '\n')
  stdin.end()
  await sleep(200)
  t.equal(s.handle.inputs[0]?.stats.records, 0, 'stdin lines wait')
  t.equal(s.handle.outputs[0]?.stats.dropped, 0)
  const back = await ndjsonReceiver({ port: dead })
  t.teardown(() => back.close())
  await back.waitFor(3, 10_000)
  t.same(back.lines.map((l) => (JSON.parse(l) as { id: string }).id), ['t1', 's1', 's2'])
  t.equal(s.handle.outputs[0]?.stats.dropped, 0)
  await s.handle.stop()
})

t.test('intake gate: holds chunks in order while saturated, pauses and resumes the stream, runs end after the held ones', async (t) => {
  let full = true
  let wake: (() => void) | null = null
  const sink: RecordSink = {
    accept () {},
    saturated: () => full,
    ready: () => full ? new Promise<void>((resolve) => { wake = resolve }) : Promise.resolve()
  }
  const events: string[] = []
  const stream = { pause: () => { events.push('pause') }, resume: () => { events.push('resume') } }
  const handled: string[] = []
  let faulted = false
  const gate = createIntakeGate(sink, stream, { keep: () => !faulted, reading: () => true, handle: (c) => { handled.push(c.toString()); return c.toString() !== 'bad' } })
  gate.push(Buffer.from('a'))
  gate.push(Buffer.from('b'))
  let ended = false
  gate.end(() => { ended = true })
  t.same(handled, [], 'nothing handed on while saturated')
  t.equal(gate.held, 2)
  t.same(events, ['pause'], 'paused once')
  t.notOk(ended)
  full = false
  ;(wake as unknown as () => void)()
  await sleep(0)
  t.same(handled, ['a', 'b'], 'in arrival order once ready')
  t.ok(ended, 'end ran after the held chunks')
  t.same(events, ['pause', 'resume'])
  // the chunk that fills the queue is handed on, then the stream pauses before reading more
  const gate2 = createIntakeGate({ ...sink, accept () {}, saturated: () => full }, stream, { keep: () => true, reading: () => true, handle: (c) => { handled.push(c.toString()); full = true; return true } })
  events.length = 0
  gate2.push(Buffer.from('c'))
  t.same(handled.at(-1), 'c')
  t.same(events, ['pause'])
  // a fault drops what is still held
  const gate3 = createIntakeGate(sink, stream, { keep: () => !faulted, reading: () => true, handle: (c) => { handled.push(c.toString()); if (c.toString() === 'bad') { faulted = true; return false } return true } })
  full = true
  gate3.push(Buffer.from('bad'))
  gate3.push(Buffer.from('after'))
  full = false
  ;(wake as unknown as () => void)()
  await sleep(0)
  t.same(handled.slice(-1), ['bad'], 'nothing after the chunk that faulted')
  t.equal(gate3.held, 0)
})

t.test('--forward-retry-limit and --forward-ack-timeout-ms reach the Forward output: a peer that never acks', async (t) => {
  const silent = net.createServer((so) => { so.resume() }) // reads everything, answers nothing
  await new Promise<void>((resolve) => { silent.listen(0, '127.0.0.1', resolve) })
  t.teardown(() => { silent.close() })
  const port = (silent.address() as net.AddressInfo).port
  const s = await startTestServe({ in: ['tcp://127.0.0.1:0'], out: [`forward://127.0.0.1:${port}`], forwardRetryLimit: 2, forwardAckTimeoutMs: 50, shutdownTimeoutMs: 300 })
  t.teardown(async () => { await s.handle.stop() })
  const sock = net.createConnection(s.port(0), '127.0.0.1')
  t.teardown(() => { sock.destroy() })
  sock.write(JSON.stringify(fbRecord('FIRE:n1', 'gw1')) + '\n')
  await waitUntil(() => (s.handle.outputs[0]?.stats.dropped ?? 0) === 1, 10_000, 'the alert given up')
  t.equal(s.handle.outputs[0]?.stats.retries, 2, 'two resends, then given up')
  t.equal(s.handle.outputs[0]?.stats.delivered, 0)
})
