// claimstorm serve throughput over loopback, alerts out over Forward to a receiver, with peak RSS.
//
//   serve-forward        records/s through serve: PackedForward frames (1000 records each) encoded by
//                        @fluent-org/logger's own protocol encoder — the bytes FluentClient sends —
//                        replayed from a socket with up to 4 frames awaiting their ack (Fluent Bit's
//                        Require_ack_response pattern); an ack means the records went through parse →
//                        detect → alert. Baseline: parse-only throughput of the same lines — parseLine over
//                        the records' text lines, same run. Target: ratio >= 0.5.
//   parse-record         for information: parseRecord over the record objects (unwrap + parse, what serve
//                        runs per record) against the same parseLine baseline.
//   serve-fluentclient   the same records sent by a live FluentClient (PackedForward, ack on) in this
//                        process; baseline: the same FluentClient into a bare Forward receiver (the
//                        sender's own ceiling), so the ratio is what serve costs on top of the sender.
//   serve-pipeline-core  for information: the pipeline core alone (no network) against parse-only.
//   serve-forward-cpu    serve-forward again, per CPU second of this process (process.cpuUsage, GC threads
//                        included) against parseLine per CPU second: on a shared, busy machine wall time
//                        swings with the neighbours' load, CPU time much less.
//
//   node --expose-gc --import tsx bench/serve.bench.ts [--records N]
import * as net from 'node:net'
import { PassThrough } from 'node:stream'
import { decodeMultiStream } from '@msgpack/msgpack'
import { FluentClient, EventTime } from '@fluent-org/logger'
import * as protocol from '@fluent-org/logger/build/src/protocol.js'
import { generateCorpus } from './lib/corpus.js'
import { parseRecord } from '../src/parse/unwrap.js'
import { parseLine } from '../src/parse/parse-line.js'
import { mergeConfig } from '../src/adapters/config.js'
import { createLogger, silentLogger } from '../src/adapters/log.js'
import { startServe, type ServeHandle } from '../src/adapters/serve-runtime.js'
import { createDefaultStages } from '../src/adapters/stages.js'
import { createPipeline } from '../src/pipeline.js'
import { ForwardServer } from '../src/adapters/forward/server.js'

const argAt = process.argv.indexOf('--records')
const RECORDS = argAt === -1 ? 200_000 : Number(process.argv[argAt + 1])
const ROUNDS = 3
const FRAME_RECORDS = 1000
const WINDOW = 4
const NODES = ['gw1', 'gw2', 'gw3', 'hv1', 'hv2', 'hv3']

const rssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024)
const gcNow = (): void => { (globalThis as { gc?: () => void }).gc?.() }
const seconds = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e9
const cpuSeconds = (c0: NodeJS.CpuUsage): number => { const c = process.cpuUsage(c0); return (c.user + c.system) / 1e6 }
const log = process.env['BENCH_DEBUG'] === undefined ? silentLogger : createLogger(process.stderr, { level: 'debug' })

interface Rec { log: string; stream: string; kubernetes: { host: string; pod_name: string; namespace_name: string; container_name: string } }

// a realistic mix (>= 90 % noise) plus a storm, spread over six nodes
const lines = generateCorpus({ kind: 'mix', lines: RECORDS, seed: 7 }).lines
  .concat(generateCorpus({ kind: 'storm', lines: Math.floor(RECORDS / 20), seed: 8 }).lines)
const records: Rec[] = lines.map((line, i) => {
  const host = NODES[i % NODES.length] ?? 'gw1'
  return { log: line, stream: 'stdout', kubernetes: { host, pod_name: `ovs-ovn-${host}`, namespace_name: 'kube-system', container_name: 'openvswitch' } }
})
const times: number[] = []
{
  let last = 0
  for (const r of records) {
    // continuation lines have no timestamp: they keep the time of the line before
    if (/^\d{4}-\d\d-\d\dT/.test(r.log)) { const t = Date.parse(r.log.slice(0, 24)); if (Number.isFinite(t) && t > 0) last = t }
    times.push(last)
  }
}
const eventTime = (ms: number): EventTime => new EventTime(Math.floor(ms / 1000), (ms % 1000) * 1e6)

// ---- baseline: parse only (parseLine over the same text lines); parseRecord over the records, interleaved ----
let parseBest = 0
let parseCpuBest = 0
let recordBest = 0
for (let r = 0; r < ROUNDS; r++) {
  gcNow()
  let t0 = process.hrtime.bigint()
  const c0 = process.cpuUsage()
  let events = 0
  for (const line of lines) if (parseLine(line).kind !== 'unparsed') events++
  parseBest = Math.max(parseBest, lines.length / seconds(t0))
  parseCpuBest = Math.max(parseCpuBest, lines.length / cpuSeconds(c0))
  if (events === 0) throw new Error('nothing parsed')
  gcNow()
  t0 = process.hrtime.bigint()
  let recordEvents = 0
  for (const rec of records) if (parseRecord(rec).kind !== 'unparsed') recordEvents++
  recordBest = Math.max(recordBest, records.length / seconds(t0))
  if (recordEvents !== events) throw new Error(`parseRecord found ${recordEvents} events, parseLine ${events}`)
}

// ---- pipeline core alone ---------------------------------------------------------------------------
let coreBest = 0
for (let r = 0; r < ROUNDS; r++) {
  gcNow()
  const p = createPipeline(createDefaultStages(mergeConfig({ in: ['-'], out: ['-'] })))
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < records.length; i += FRAME_RECORDS) p.push(records.slice(i, i + FRAME_RECORDS), 0)
  p.flush()
  coreBest = Math.max(coreBest, records.length / seconds(t0))
}

// ---- the wire bytes FluentClient sends: PackedForward with a chunk id (ack requested) ----------------
const frames: Array<{ chunk: string; bytes: Uint8Array }> = []
for (let i = 0; i < records.length; i += FRAME_RECORDS) {
  const packed: Uint8Array[] = []
  let size = 0
  for (let j = i; j < Math.min(records.length, i + FRAME_RECORDS); j++) {
    const e = protocol.packEntry(protocol.generateEntry(eventTime(times[j] ?? 0), records[j] as unknown as protocol.EventRecord))
    packed.push(e)
    size += e.length
  }
  const chunk = Buffer.from(`chunk-${i}`).toString('base64')
  frames.push({ chunk, bytes: protocol.encodeMessage(protocol.generatePackedForwardMode('kube.ovs-ovn', packed, size, chunk)) })
}

async function startRig (): Promise<{ handle: ServeHandle; port: number; received: () => number; close: () => Promise<number> }> {
  let received = 0
  const rx = new ForwardServer({ onBatch: (b) => { received += b.entries.length } })
  const a = await rx.listen({ host: '127.0.0.1', port: 0 })
  const handle = await startServe(mergeConfig({ in: ['forward://127.0.0.1:0'], out: [`forward://127.0.0.1:${a.port}`] }), {
    stdin: new PassThrough(), stdout: new PassThrough(), log, stages: createDefaultStages
  })
  return {
    handle,
    port: Number(handle.inputs[0]?.address()?.split(':').pop()),
    received: () => received,
    close: async () => {
      const res = await handle.stop('stop')
      await rx.close()
      if (handle.inputs[0]?.stats.records !== records.length) throw new Error(`serve saw ${String(handle.inputs[0]?.stats.records)} of ${records.length} records`)
      return Object.values(res.pipeline.stats.alerts).reduce((x, y) => x + y, 0)
    }
  }
}

/** Sends every frame, keeping at most WINDOW unacknowledged; resolves when the last ack arrived. */
async function replay (port: number): Promise<void> {
  const sock = net.createConnection(port, '127.0.0.1')
  await new Promise((resolve) => sock.once('connect', resolve))
  let next = 0
  let acked = 0
  const send = (): void => { while (next < frames.length && next - acked < WINDOW) sock.write(frames[next++]?.bytes ?? new Uint8Array()) }
  send()
  for await (const msg of decodeMultiStream(sock)) {
    const ack = (msg as { ack?: string }).ack
    if (ack !== frames[acked]?.chunk) throw new Error(`unexpected ack ${String(ack)}`)
    acked++
    if (acked === frames.length) break
    send()
  }
  sock.destroy()
}

let serveBest = 0
let serveCpuBest = 0
let alertsOut = 0
let alertsReceived = 0
for (let r = 0; r < ROUNDS; r++) {
  gcNow()
  const rig = await startRig()
  const t0 = process.hrtime.bigint()
  const c0 = process.cpuUsage()
  await replay(rig.port)
  serveBest = Math.max(serveBest, records.length / seconds(t0))
  serveCpuBest = Math.max(serveCpuBest, records.length / cpuSeconds(c0))
  alertsOut = await rig.close()
  alertsReceived = rig.received()
}
if (alertsOut === 0 || alertsReceived !== alertsOut) throw new Error(`alerts: ${alertsOut} emitted, ${alertsReceived} received`)

// ---- live FluentClient, against the same client into a bare receiver ---------------------------------
const ONLY_REPLAY = process.argv.includes('--only-replay')
async function fluentClientRun (port: number): Promise<number> {
  const client = new FluentClient('kube', { socket: { host: '127.0.0.1', port }, eventMode: 'PackedForward', ack: { ackTimeout: 60_000 }, flushInterval: 2, sendQueueIntervalFlushLimit: { length: FRAME_RECORDS } })
  const t0 = process.hrtime.bigint()
  const windows: Array<Promise<unknown>> = []
  for (let i = 0; i < records.length; i += FRAME_RECORDS) {
    const ps: Array<Promise<void>> = []
    for (let j = i; j < Math.min(records.length, i + FRAME_RECORDS); j++) ps.push(client.emit('ovs-ovn', records[j] as unknown as protocol.EventRecord, eventTime(times[j] ?? 0)))
    windows.push(Promise.all(ps))
    if (windows.length >= WINDOW) await windows.shift()
  }
  await Promise.all(windows)
  const rate = records.length / seconds(t0)
  await client.disconnect()
  return rate
}
let clientBest = 0
let clientServeBest = 0
for (let r = 0; r < (ONLY_REPLAY ? 0 : ROUNDS); r++) {
  gcNow()
  const bare = new ForwardServer({ onBatch: () => {} })
  const a = await bare.listen({ host: '127.0.0.1', port: 0 })
  clientBest = Math.max(clientBest, await fluentClientRun(a.port))
  await bare.close()
  gcNow()
  const rig = await startRig()
  clientServeBest = Math.max(clientServeBest, await fluentClientRun(rig.port))
  await rig.close()
}

const round = (x: number): number => Math.round(x)
const ratio = (a: number, b: number): number => Math.round(a / b * 1000) / 1000
console.log(JSON.stringify({ bench: 'serve-forward', value: round(serveBest), unit: 'records/s', baseline: round(parseBest), ratio: ratio(serveBest, parseBest), rssMB: rssMB(), records: records.length, alerts: alertsOut }))
console.log(JSON.stringify({ bench: 'serve-fluentclient', value: round(clientServeBest), unit: 'records/s', baseline: round(clientBest), ratio: ratio(clientServeBest, clientBest), rssMB: rssMB(), records: records.length }))
console.log(JSON.stringify({ bench: 'serve-forward-cpu', value: round(serveCpuBest), unit: 'records/cpu-s', baseline: round(parseCpuBest), ratio: ratio(serveCpuBest, parseCpuBest), rssMB: rssMB(), records: records.length }))
console.log(JSON.stringify({ bench: 'parse-record', value: round(recordBest), unit: 'records/s', baseline: round(parseBest), ratio: ratio(recordBest, parseBest), rssMB: rssMB(), records: records.length }))
console.log(JSON.stringify({ bench: 'serve-pipeline-core', value: round(coreBest), unit: 'records/s', baseline: round(parseBest), ratio: ratio(coreBest, parseBest), rssMB: rssMB(), records: records.length }))
