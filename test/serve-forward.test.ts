// End to end over the Fluent Forward protocol: the OVN-lab bad-gateway storm replayed as Fluent Bit
// records by @fluent-org/logger's FluentClient (PackedForward, ack on) into serve's Forward input;
// the alerts come out of serve's Forward output into a Forward receiver. Real parser, detector, alerts.
import t from 'tap'
import { FluentClient, EventTime } from '@fluent-org/logger'
import { ForwardServer } from '../src/adapters/forward/server.js'
import type { ForwardBatch } from '../src/adapters/forward/types.js'
import { createDefaultStages } from '../src/adapters/stages.js'
import { labGroundTruth } from './helpers/fixtures.js'
import { labRecords, ndjsonReceiver, startTestServe, waitUntil } from './helpers/serve-harness.js'

interface AlertRec { event: { action: string }; labels: { rule: string }; ovn: { lport?: string; suspects?: Array<{ node: string }>; resolved_by?: string } }

async function receiver (port = 0): Promise<{ got: Array<{ tag: string; record: AlertRec }>; port: number; server: ForwardServer }> {
  const got: Array<{ tag: string; record: AlertRec }> = []
  const server = new ForwardServer({ onBatch: (b: ForwardBatch) => { for (const e of b.entries) got.push({ tag: b.tag, record: e.record as unknown as AlertRec }) } })
  const a = await server.listen({ host: '127.0.0.1', port })
  return { got, port: a.port, server }
}

async function sendLab (port: number, scenario: string, tagPrefix = 'kube'): Promise<number> {
  const client = new FluentClient(tagPrefix, {
    socket: { host: '127.0.0.1', port, reconnect: { delay: 50 } },
    eventMode: 'PackedForward',
    ack: { ackTimeout: 10_000 },
    flushInterval: 20,
    sendQueueIntervalFlushLimit: { length: 500 }
  })
  const recs = await labRecords(scenario)
  const sends: Array<Promise<void>> = []
  for (const r of recs) {
    const ms = r.timeMs
    // one tag: FluentClient chunks per tag, and a replay at full speed would otherwise deliver each
    // node's whole log as one chunk, far beyond the detector's allowed lateness
    sends.push(client.emit('ovn', r.record, new EventTime(Math.floor(ms / 1000), (ms % 1000) * 1e6)))
  }
  if (recs.length === 0) await client.disconnect()
  try {
    await Promise.all(sends) // every chunk acked by claimstorm, i.e. processed
  } finally {
    await client.disconnect()
  }
  return recs.length
}

t.test('lab storm in over Forward (FluentClient), alerts out over Forward with gw3 first', async (t) => {
  const scenario = '07-multi-gw-bad-node-storm'
  const truth = labGroundTruth('sample', scenario)
  const rx = await receiver()
  const s = await startTestServe({ in: ['forward://127.0.0.1:0'], out: [`forward://127.0.0.1:${rx.port}?tag=ovn.alert.test`] }, (c) => createDefaultStages(c))
  t.teardown(async () => { await s.handle.stop(); await rx.server.close() })
  const n = await sendLab(s.port(), scenario)
  t.equal(s.handle.inputs[0]?.stats.records, n, 'every record arrived')
  t.ok((s.handle.inputs[0]?.stats.acks ?? 0) > 0, 'acks were sent')
  await waitUntil(() => rx.got.filter((g) => g.record.event.action === 'firing' && g.record.labels.rule === 'claim-storm').length >= truth.storm_lports.length, 10_000)
  const storms = rx.got.filter((g) => g.record.event.action === 'firing' && g.record.labels.rule === 'claim-storm')
  t.same(storms.map((g) => g.record.ovn.lport).sort(), [...truth.storm_lports].sort())
  for (const g of storms) {
    t.equal(g.tag, 'ovn.alert.test')
    t.equal(g.record.ovn.suspects?.[0]?.node, truth.bad_node, `${g.record.ovn.lport ?? ''}: ${truth.bad_node ?? ''} first`)
  }
  // shutdown resolves what is still open and delivers it before returning
  const before = rx.got.length
  const open = new Set(rx.got.filter((g) => g.record.event.action !== 'resolved').map((g) => `${g.record.labels.rule}:${g.record.ovn.lport ?? ''}`))
  for (const g of rx.got) if (g.record.event.action === 'resolved') open.delete(`${g.record.labels.rule}:${g.record.ovn.lport ?? ''}`)
  const res = await s.handle.stop('signal')
  t.equal(res.undelivered, 0)
  const after = rx.got.slice(before)
  t.equal(after.length, open.size, 'one resolved alert per condition still open')
  t.ok(after.every((g) => g.record.event.action === 'resolved' && g.record.ovn.resolved_by === 'shutdown'))
})

t.test('a Forward downstream down at start comes back: nothing lost, order kept', async (t) => {
  const probe = await ndjsonReceiver()
  const port = probe.port
  await probe.close()
  const s = await startTestServe({ in: ['tcp://127.0.0.1:0'], out: [`forward://127.0.0.1:${port}`], retryInitialMs: 20, retryMaxMs: 100 })
  t.teardown(async () => { await s.handle.stop() })
  const net = await import('node:net')
  const ids = Array.from({ length: 20 }, (_, i) => `d${i}`)
  net.createConnection(s.port(), '127.0.0.1').end(ids.map((id) => JSON.stringify({ log: `FIRE:${id}`, kubernetes: { host: 'gw1' } })).join('\n') + '\n')
  await waitUntil(() => s.handle.outputs[0]?.depth() === 20)
  await new Promise((resolve) => setTimeout(resolve, 200)) // a few failed reconnects
  const rx = await receiver(port)
  t.teardown(() => rx.server.close())
  await waitUntil(() => rx.got.length === 20, 10_000)
  t.same(rx.got.map((g) => (g.record as unknown as { id: string }).id), ids)
  t.equal(rx.got[0]?.tag, 'ovn.alert', 'default tag')
  await waitUntil(() => s.handle.outputs[0]?.depth() === 0)
  t.equal(s.handle.outputs[0]?.stats.delivered, 20)
})

t.test('a malformed Forward frame closes that connection only; counted on /metrics', async (t) => {
  const s = await startTestServe({ in: ['forward://127.0.0.1:0'], out: ['-'], metricsListen: '127.0.0.1:0' })
  t.teardown(async () => { await s.handle.stop() })
  const net = await import('node:net')
  const good = new FluentClient('kube', { socket: { host: '127.0.0.1', port: s.port() }, ack: { ackTimeout: 5000 } })
  await good.emit('x', { log: 'FIRE:before', kubernetes: { host: 'gw1' } })
  // a msgpack array whose mode cannot be Forward: [tag, 42]
  const bad = net.createConnection(s.port(), '127.0.0.1')
  const closed = new Promise((resolve) => bad.on('close', resolve))
  bad.on('error', () => {})
  bad.write(Buffer.from([0x92, 0xa1, 0x74, 0x2a]))
  await closed
  await good.emit('x', { log: 'FIRE:after', kubernetes: { host: 'gw1' } })
  await good.disconnect()
  await waitUntil(() => s.stdout.length === 2)
  t.same(s.stdout.map((l) => (JSON.parse(l) as { id: string }).id), ['before', 'after'], 'the good connection kept working')
  const faults = s.logs.filter((l) => l['level'] === 'warn' && typeof l['msg'] === 'string' && (l['msg'] as string).startsWith('forward:'))
  t.equal(faults.length, 1, 'one log line for the bad frame')
  const metrics = await (await fetch(`http://${s.handle.metricsAddress() ?? ''}/metrics`)).text()
  t.match(metrics, /claimstorm_forward_protocol_errors_total\{reason="\w+"\} 1/)
  t.match(metrics, /claimstorm_input_rejected_total\{input="forward"\} 1/)
})

t.test('real Fluent Bit 5.1.1 bytes (Require_ack_response on): acks byte-identical to what Fluent Bit got, storm found', async (t) => {
  const { readFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const net = await import('node:net')
  const { FIXTURES, readFixture } = await import('./helpers/fixtures.js')
  const dir = join(FIXTURES, 'fluent-bit-forward')
  // the stormed port and its claimers, from the decoded records (the captures' source of truth)
  const recs = readFixture(join(dir, 'ack.records.ndjson.gz')).toString('utf8').split('\n').filter(Boolean)
    .map((l) => JSON.parse(l) as { record: { log: string; kubernetes: { host: string } } })
  const changes = recs.map((r) => /Changing chassis for lport (\S+) from/.exec(r.record.log)?.[1]).filter((x): x is string => x !== undefined)
  const lport = changes[0]
  t.ok(lport !== undefined)
  const s = await startTestServe({ in: ['forward://127.0.0.1:0'], out: ['-'] }, (c) => createDefaultStages(c))
  t.teardown(async () => { await s.handle.stop() })
  const sock = net.createConnection(s.port(), '127.0.0.1')
  const back: Buffer[] = []
  sock.on('data', (b: Buffer) => back.push(b))
  sock.write(readFileSync(join(dir, 'ack.bin')))
  const expected = readFileSync(join(dir, 'ack.server.bin'))
  await waitUntil(() => Buffer.concat(back).length >= expected.length)
  t.ok(Buffer.concat(back).equals(expected), 'same acks, same order')
  sock.end()
  t.equal(s.handle.inputs[0]?.stats.records, recs.length)
  await s.handle.stop()
  const alerts = s.stdout.map((l) => JSON.parse(l) as AlertRec)
  const storm = alerts.find((a) => a.labels.rule === 'claim-storm' && a.event.action === 'firing')
  t.equal(storm?.ovn.lport, lport)
  t.same(new Set(storm?.ovn.suspects?.map((x) => x.node)), new Set(recs.map((r) => r.record.kubernetes.host)), 'both claimers named')
})

t.test('/metrics counts what went wrong downstream: retries and drops of a Forward peer that never acks, detector evictions', async (t) => {
  const net = await import('node:net')
  const silent = net.createServer((so) => { so.resume() }) // reads every frame, acks none
  await new Promise<void>((resolve) => { silent.listen(0, '127.0.0.1', resolve) })
  t.teardown(() => { silent.close() })
  const peer = (silent.address() as { port: number }).port
  const s = await startTestServe({
    in: ['tcp://127.0.0.1:0'],
    out: [`forward://127.0.0.1:${peer}`],
    metricsListen: '127.0.0.1:0',
    forwardAckTimeoutMs: 50,
    forwardRetryLimit: 1,
    // room for the storm's ports, not for the flood of one-off claims sent after it
    detector: ['maxTrackedPorts=50']
  }, (c) => createDefaultStages(c))
  t.teardown(async () => { await s.handle.stop() })
  const recs = await labRecords('07-multi-gw-bad-node-storm')
  const end = recs.at(-1)?.timeMs ?? 0
  const flood = Array.from({ length: 200 }, (_, i) => ({ log: `${new Date(end + i).toISOString()}|${String(90000 + i)}|binding|INFO|Claiming lport vif-${i} for this chassis.`, kubernetes: { host: 'hv9' } }))
  const sock = net.createConnection(s.port(), '127.0.0.1')
  sock.end([...recs.map((r) => r.record), ...flood].map((r) => JSON.stringify(r)).join('\n') + '\n')
  const out = s.handle.outputs[0]
  await waitUntil(() => (out?.stats.dropped ?? 0) > 0 && out?.depth() === 0, 10_000, () => `alerts given up (dropped ${out?.stats.dropped ?? 0}, queued ${out?.depth() ?? 0})`)
  const metrics = await (await fetch(`http://${s.handle.metricsAddress() ?? ''}/metrics`)).text()
  const value = (re: RegExp): number => Number(re.exec(metrics)?.[1] ?? NaN)
  const dropped = value(/^claimstorm_output_dropped_total\{output="forward"\} (\d+)$/m)
  const retries = value(/^claimstorm_output_retries_total\{output="forward"\} (\d+)$/m)
  t.ok(dropped > 0, `alerts given up: ${dropped}`)
  t.equal(dropped, out?.stats.dropped, 'the output\'s own count')
  t.ok(retries >= dropped, `each given-up alert was resent once first (retries ${retries})`)
  t.equal(value(/^claimstorm_output_alerts_total\{output="forward"\} (\d+)$/m), 0, 'nothing counted as delivered')
  t.ok(value(/^claimstorm_detector_evictions_total (\d+)$/m) > 0, 'ports evicted to stay within maxTrackedPorts')
})
