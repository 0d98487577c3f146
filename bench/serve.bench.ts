// claimstorm serve throughput over loopback, alerts out over Forward, with peak RSS. serve runs in this
// process; the sender (and the receiver of the alerts) run in a child process, so the figures are serve's
// own cost and not the sender's encoding or ack handling.
//
//   serve-forward        wall-clock records/s through serve: PackedForward frames (1000 records each)
//                        encoded by @fluent-org/logger's own protocol encoder — the bytes FluentClient
//                        sends — replayed by the child with up to 4 frames awaiting their ack (Fluent
//                        Bit's Require_ack_response pattern); an ack means the records went through
//                        parse → detect → alert. Baseline: parse-only throughput of the same lines —
//                        parseLine over the records' text lines, in this process, same run. Target: ratio >= 0.5.
//   serve-forward-cpu    the same runs per CPU second of this (the serve) process (process.cpuUsage, GC
//                        threads included) against parseLine per CPU second: on a shared, busy machine
//                        wall time swings with the neighbours' load, CPU time much less.
//   sender-ceiling       the same replay into a bare Forward receiver in this process (decode, no
//                        processing): how fast the child can send. `senderCpu` is the child's CPU share
//                        while serve-forward ran (< 1: the sender waited for serve, it did not hold it back).
//   serve-fluentclient   the same records sent by a live FluentClient (PackedForward, ack on) in the
//                        child; baseline: the same FluentClient into the bare receiver.
//   parse-record         for information: the record parser serve uses (unwrap + parse) over the record
//                        objects against the same parseLine baseline.
//   serve-pipeline-core  for information: the pipeline core alone (no network) against parse-only.
//   serve-no-network     serve's work without sockets, in one thread: the same PackedForward frames decoded as the
//                        Forward input decodes them (shared maps, noise records skimmed), then the pipeline core,
//                        against parse-only. serve does this and its socket I/O besides: on one thread this figure
//                        bounds serve-forward from above.
//
// Every figure is the best of ROUNDS rounds (the median is printed beside it); the rounds interleave all
// measurements, so a neighbour's burst of load does not hit one figure only. rssMB is this process's peak;
// serveRssMB its peak after the first serve round, before any phase built the records as objects here.
//
//   node --expose-gc --import tsx bench/serve.bench.ts [--records N] [--rounds N] [--only forward|serve]
// (`--only serve`: the serve-forward rounds alone, no baseline or other phase, for a profile of serve.)
import { fork, type ChildProcess } from 'node:child_process'
import * as net from 'node:net'
import { PassThrough } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { decodeMultiStream } from '@msgpack/msgpack'
import { FluentClient, EventTime } from '@fluent-org/logger'
import * as protocol from '@fluent-org/logger/build/src/protocol.js'
import { generateCorpus } from './lib/corpus.js'
import { createRecordParser } from '../src/parse/unwrap.js'
import { parseLine } from '../src/parse/parse-line.js'
import { mergeConfig } from '../src/adapters/config.js'
import { createLogger, silentLogger } from '../src/adapters/log.js'
import { startServe } from '../src/adapters/serve-runtime.js'
import { createDefaultStages } from '../src/adapters/stages.js'
import { createPipeline } from '../src/pipeline.js'
import { ForwardServer } from '../src/adapters/forward/server.js'
import { decodeFrame } from '../src/adapters/forward/decode.js'

const arg = (name: string, dflt: number): number => { const at = process.argv.indexOf(name); return at === -1 ? dflt : Number(process.argv[at + 1]) }
const RECORDS = arg('--records', 200_000)
const ROUNDS = arg('--rounds', 3)
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined
const ONLY_SERVE = ONLY === 'serve'
const ONLY_FORWARD = ONLY === 'forward' || ONLY_SERVE
const FRAME_RECORDS = 1000
const WINDOW = 4
const NODES = ['gw1', 'gw2', 'gw3', 'hv1', 'hv2', 'hv3']

const rssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024)
const gcNow = (): void => { (globalThis as { gc?: () => void }).gc?.() }
const seconds = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e9
const cpuSeconds = (c0: NodeJS.CpuUsage): number => { const c = process.cpuUsage(c0); return (c.user + c.system) / 1e6 }

interface Rec { log: string; stream: string; kubernetes: { host: string; pod_name: string; namespace_name: string; container_name: string } }

// a realistic mix (>= 90 % noise) plus a storm, spread over six nodes; both processes build the same (seeded)
const lines = generateCorpus({ kind: 'mix', lines: RECORDS, seed: 7 }).lines
  .concat(generateCorpus({ kind: 'storm', lines: Math.floor(RECORDS / 20), seed: 8 }).lines)
/** The records Fluent Bit sends for these lines; built where needed and dropped after, so serve's heap does not carry them. */
const makeRecords = (): Rec[] => lines.map((line, i) => {
  const host = NODES[i % NODES.length] ?? 'gw1'
  return { log: line, stream: 'stdout', kubernetes: { host, pod_name: `ovs-ovn-${host}`, namespace_name: 'kube-system', container_name: 'openvswitch' } }
})
const RECORD_COUNT = lines.length

const eventTime = (ms: number): EventTime => new EventTime(Math.floor(ms / 1000), (ms % 1000) * 1e6)

/** Each record's event time (continuation lines keep the time of the line before), and the wire bytes FluentClient
 * sends for the records: PackedForward frames of FRAME_RECORDS with a chunk id (ack requested). */
function makeFrames (records: Rec[]): { times: number[]; frames: Array<{ chunk: string; bytes: Uint8Array }> } {
  const times: number[] = []
  let last = 0
  for (const r of records) {
    if (/^\d{4}-\d\d-\d\dT/.test(r.log)) { const t = Date.parse(r.log.slice(0, 24)); if (Number.isFinite(t) && t > 0) last = t }
    times.push(last)
  }
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
  return { times, frames }
}

// ---- messages between this process (serve) and the child (sender + alert receiver) -----------------
type ToChild =
  | { cmd: 'replay'; port: number }
  | { cmd: 'client'; port: number }
  | { cmd: 'alerts' }
  | { cmd: 'exit' }
type FromChild =
  | { cmd: 'ready'; alertPort: number }
  | { cmd: 'sent'; wallS: number; cpuS: number }
  | { cmd: 'alerts'; received: number }

if (process.argv.includes('--sender')) await runSender()
else await runServe()

// ================================ child: sender and alert receiver ==================================
async function runSender (): Promise<void> {
  const send = (m: FromChild): void => { process.send?.(m) }
  const records = makeRecords()
  const { times, frames } = makeFrames(records)

  /** Sends every frame, keeping at most WINDOW unacknowledged; resolves when the last ack arrived. */
  async function replay (port: number): Promise<void> {
    const sock = net.createConnection(port, '127.0.0.1')
    await new Promise((resolve) => sock.once('connect', resolve))
    let next = 0
    let acked = 0
    const write = (): void => { while (next < frames.length && next - acked < WINDOW) sock.write(frames[next++]?.bytes ?? new Uint8Array()) }
    write()
    for await (const msg of decodeMultiStream(sock)) {
      const ack = (msg as { ack?: string }).ack
      if (ack !== frames[acked]?.chunk) throw new Error(`unexpected ack ${String(ack)}`)
      acked++
      if (acked === frames.length) break
      write()
    }
    sock.destroy()
  }

  async function fluentClient (port: number): Promise<void> {
    const client = new FluentClient('kube', { socket: { host: '127.0.0.1', port }, eventMode: 'PackedForward', ack: { ackTimeout: 60_000 }, flushInterval: 2, sendQueueIntervalFlushLimit: { length: FRAME_RECORDS } })
    const windows: Array<Promise<unknown>> = []
    for (let i = 0; i < records.length; i += FRAME_RECORDS) {
      const ps: Array<Promise<void>> = []
      for (let j = i; j < Math.min(records.length, i + FRAME_RECORDS); j++) ps.push(client.emit('ovs-ovn', records[j] as unknown as protocol.EventRecord, eventTime(times[j] ?? 0)))
      windows.push(Promise.all(ps))
      if (windows.length >= WINDOW) await windows.shift()
    }
    await Promise.all(windows)
    await client.disconnect()
  }

  let received = 0
  const rx = new ForwardServer({ onBatch: (b) => { received += b.entries.length } })
  const a = await rx.listen({ host: '127.0.0.1', port: 0 })
  process.on('message', (m: ToChild) => {
    void (async () => {
      if (m.cmd === 'exit') { await rx.close(); process.disconnect(); return }
      if (m.cmd === 'alerts') { send({ cmd: 'alerts', received }); received = 0; return }
      gcNow()
      const t0 = process.hrtime.bigint()
      const c0 = process.cpuUsage()
      if (m.cmd === 'replay') await replay(m.port)
      else await fluentClient(m.port)
      send({ cmd: 'sent', wallS: seconds(t0), cpuS: cpuSeconds(c0) })
    })()
  })
  send({ cmd: 'ready', alertPort: a.port })
}

// ====================================== parent: serve ================================================
async function runServe (): Promise<void> {
  const log = process.env['BENCH_DEBUG'] === undefined ? silentLogger : createLogger(process.stderr, { level: 'debug' })
  // the child gets the loader (tsx) and --expose-gc, not a profiler flag meant for serve
  const execArgv: string[] = []
  for (let i = 0; i < process.execArgv.length; i++) {
    const a = process.execArgv[i] ?? ''
    if (!/^--(cpu-prof|heap-prof|prof)/.test(a)) { execArgv.push(a); continue }
    if (/^--(cpu|heap)-prof-(dir|name|interval)$/.test(a)) i++ // its value follows
  }
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--sender', '--records', String(RECORDS)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const inbox: FromChild[] = []
  let wake: (() => void) | null = null
  child.on('message', (m: FromChild) => { inbox.push(m); wake?.() })
  child.on('exit', (code) => { if (code !== 0 && code !== null) { console.error(`sender exited ${code}`); process.exit(1) } })
  const receive = async <K extends FromChild['cmd']>(cmd: K): Promise<Extract<FromChild, { cmd: K }>> => {
    for (;;) {
      const m = inbox.shift()
      if (m !== undefined) {
        if (m.cmd !== cmd) throw new Error(`expected ${cmd} from the sender, got ${m.cmd}`)
        return m as Extract<FromChild, { cmd: K }>
      }
      await new Promise<void>((resolve) => { wake = resolve })
      wake = null
    }
  }
  const tell = (m: ToChild): void => { child.send(m) }
  const { alertPort } = await receive('ready')

  /** One run of the child's sender into `port`: its wall time, and the CPU time of this process meanwhile. */
  async function sendInto (port: number, cmd: 'replay' | 'client'): Promise<{ wallS: number; cpuS: number; senderCpuS: number }> {
    gcNow()
    const c0 = process.cpuUsage()
    tell({ cmd, port })
    const r = await receive('sent')
    return { wallS: r.wallS, cpuS: cpuSeconds(c0), senderCpuS: r.cpuS }
  }

  async function serveRound (cmd: 'replay' | 'client'): Promise<{ wallS: number; cpuS: number; senderCpuS: number; alerts: number; received: number }> {
    const handle = await startServe(mergeConfig({ in: ['forward://127.0.0.1:0'], out: [`forward://127.0.0.1:${alertPort}`] }), {
      stdin: new PassThrough(), stdout: new PassThrough(), log, stages: createDefaultStages
    })
    const port = Number(handle.inputs[0]?.address()?.split(':').pop())
    const r = await sendInto(port, cmd)
    const res = await handle.stop('stop')
    if (handle.inputs[0]?.stats.records !== RECORD_COUNT) throw new Error(`serve saw ${String(handle.inputs[0]?.stats.records)} of ${RECORD_COUNT} records`)
    const alerts = Object.values(res.pipeline.stats.alerts).reduce((x, y) => x + y, 0)
    tell({ cmd: 'alerts' })
    const { received } = await receive('alerts')
    if (alerts === 0 || received !== alerts) throw new Error(`alerts: ${alerts} emitted, ${received} received`)
    return { ...r, alerts, received }
  }

  async function bareRound (cmd: 'replay' | 'client'): Promise<number> {
    let n = 0
    const bare = new ForwardServer({ onBatch: (b) => { n += b.entries.length } })
    const a = await bare.listen({ host: '127.0.0.1', port: 0 })
    const r = await sendInto(a.port, cmd)
    await bare.close()
    if (n !== RECORD_COUNT) throw new Error(`bare receiver got ${n} of ${RECORD_COUNT} records`)
    return RECORD_COUNT / r.wallS
  }

  const parseRate: number[] = []
  const parseCpuRate: number[] = []
  const recordRate: number[] = []
  const coreRate: number[] = []
  const noNetworkRate: number[] = []
  const serveRate: number[] = []
  const serveCpuRate: number[] = []
  const senderCpu: number[] = []
  const ceilingRate: number[] = []
  const clientServeRate: number[] = []
  const clientBareRate: number[] = []
  let alertsOut = 0
  let serveRss = 0
  for (let r = 0; r < ROUNDS; r++) {
    if (ONLY_SERVE) {
      const s = await serveRound('replay')
      serveRate.push(RECORD_COUNT / s.wallS)
      serveCpuRate.push(RECORD_COUNT / s.cpuS)
      continue
    }
    // baseline: parse only (parseLine over the same text lines)
    gcNow()
    const t0 = process.hrtime.bigint()
    const c0 = process.cpuUsage()
    let events = 0
    for (const line of lines) if (parseLine(line).kind !== 'unparsed') events++
    parseRate.push(lines.length / seconds(t0))
    parseCpuRate.push(lines.length / cpuSeconds(c0))
    if (events === 0) throw new Error('nothing parsed')

    const s = await serveRound('replay')
    // peak RSS so far: the parseLine baseline and serve (the later phases build the records as objects here)
    if (r === 0) serveRss = rssMB()
    serveRate.push(RECORD_COUNT / s.wallS)
    serveCpuRate.push(RECORD_COUNT / s.cpuS)
    senderCpu.push(s.senderCpuS / s.wallS)
    alertsOut = s.alerts
    ceilingRate.push(await bareRound('replay'))
    if (ONLY_FORWARD) continue

    // the record parser serve uses, alone; then the pipeline core (no network)
    const records = makeRecords()
    gcNow()
    const parse = createRecordParser({})
    const t1 = process.hrtime.bigint()
    let recordEvents = 0
    for (const rec of records) if (parse(rec).kind !== 'unparsed') recordEvents++
    recordRate.push(RECORD_COUNT / seconds(t1))
    if (recordEvents !== events) throw new Error(`the record parser found ${recordEvents} events, parseLine ${events}`)
    gcNow()
    const p = createPipeline(createDefaultStages(mergeConfig({ in: ['-'], out: ['-'] })))
    const t2 = process.hrtime.bigint()
    for (let i = 0; i < RECORD_COUNT; i += FRAME_RECORDS) p.push(records.slice(i, i + FRAME_RECORDS), 0)
    p.flush()
    coreRate.push(RECORD_COUNT / seconds(t2))

    // serve's work with the sockets taken out, in this one thread: the same PackedForward frames decoded as the
    // Forward input decodes them (shared kubernetes maps, noise records skimmed), then the pipeline core. serve
    // does all of this and its I/O besides, so on one thread it cannot beat this figure.
    const { frames } = makeFrames(records)
    records.length = 0
    gcNow()
    const nnStages = createDefaultStages(mergeConfig({ in: ['-'], out: ['-'] }))
    const nn = createPipeline(nnStages)
    const limits = { maxEntriesPerFrame: 1_000_000, shareRepeatedMaps: true, ...(nnStages.recordSkim == null ? {} : { skimRecords: nnStages.recordSkim }) }
    const t3 = process.hrtime.bigint()
    let decoded = 0
    for (const f of frames) {
      const d = decodeFrame(f.bytes, limits)
      if (!d.ok || d.frame.kind !== 'events') throw new Error('the bench frame did not decode')
      const recs = d.frame.entries.map((en) => en.skimmed ?? en.record)
      decoded += recs.length
      nn.push(recs, 0)
    }
    nn.flush()
    noNetworkRate.push(RECORD_COUNT / seconds(t3))
    if (decoded !== RECORD_COUNT) throw new Error(`decoded ${decoded} of ${RECORD_COUNT} records`)

    clientServeRate.push(RECORD_COUNT / (await serveRound('client')).wallS)
    clientBareRate.push(await bareRound('client'))
  }
  tell({ cmd: 'exit' })

  const best = (xs: number[]): number => Math.round(Math.max(...xs))
  const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return Math.round(s[Math.floor(s.length / 2)] ?? 0) }
  const ratio = (a: number, b: number): number => Math.round(a / b * 1000) / 1000
  const figure = (bench: string, values: number[], unit: string, baselines: number[], extra: object = {}): void => {
    if (values.length === 0 || baselines.length === 0) {
      if (values.length > 0) console.log(JSON.stringify({ bench, value: best(values), unit, rssMB: rssMB(), median: median(values), records: RECORD_COUNT }))
      return
    }
    console.log(JSON.stringify({ bench, value: best(values), unit, baseline: best(baselines), ratio: ratio(best(values), best(baselines)), rssMB: rssMB(), median: median(values), records: RECORD_COUNT, ...extra }))
  }
  figure('serve-forward', serveRate, 'records/s', parseRate, { alerts: alertsOut, senderCpu: Math.round(Math.max(...senderCpu) * 100) / 100, serveRssMB: serveRss })
  figure('serve-forward-cpu', serveCpuRate, 'records/cpu-s', parseCpuRate)
  figure('sender-ceiling', ceilingRate, 'records/s', serveRate)
  figure('serve-fluentclient', clientServeRate, 'records/s', clientBareRate)
  figure('parse-record', recordRate, 'records/s', parseRate)
  figure('serve-pipeline-core', coreRate, 'records/s', parseRate)
  figure('serve-no-network', noNetworkRate, 'records/s', parseRate)
}
