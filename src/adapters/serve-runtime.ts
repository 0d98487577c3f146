// `claimstorm serve` at run time: build outputs, the pipeline and inputs from a ServeConfig, drive
// the detector clock, and shut down in order (stop intake → flush the pipeline → deliver → exit).
//
// Event clock for tick(): the detector runs on event time. Between lines, claimstorm advances it as
// (latest event time seen) + (wall time elapsed since that event arrived), so a storm that stops
// logging resolves `quietMs` later even when nothing else is logged, and replays of old logs are
// not resolved early by a wall clock that is hours ahead of them.
import type { Readable, Writable } from 'node:stream'
import { StormError } from '../errors.js'
import { createPipeline, type Pipeline, type PipelineAlert, type PipelineStages } from '../pipeline.js'
import type { AlertOutput, InputAdapter, RecordSink } from './contracts.js'
import { redactUrl } from './contracts.js'
import type { ServeConfig } from './config.js'
import { parseEndpoint, parseListen, type Endpoint } from './endpoints.js'
import { createHttpOutput, startHttpInput, startMetricsServer, type MetricsServer } from './http.js'
import type { Logger } from './log.js'
import { createServeMetrics, type ServeMetrics } from './metrics.js'
import { createSocketOutput, startNdjsonServer } from './ndjson-tcp.js'
import type { QueueOptions } from './queued-output.js'
import { createStdoutOutput, startStdinInput } from './stdio.js'
import { createForwardOutputAdapter, startForwardInput } from './forward-wiring.js'

export interface ServeEnv {
  stdin: Readable
  stdout: Writable
  log: Logger
  /** Builds the parse → detect → alert stages for this config. */
  stages: (cfg: ServeConfig) => PipelineStages
  /** Wall clock. @default Date.now */
  now?: () => number
  /** Detector evictions counter for /metrics, when the stages expose one. */
  detectorEvictions?: () => number
}

export type StopReason = 'signal' | 'eof' | 'epipe' | 'stop'

export interface ServeResult {
  reason: StopReason
  /** Alerts still queued in some output when the shutdown deadline passed. */
  undelivered: number
  pipeline: Pipeline
}

export interface ServeHandle {
  readonly inputs: readonly InputAdapter[]
  readonly outputs: readonly AlertOutput[]
  readonly pipeline: Pipeline
  readonly metrics: ServeMetrics
  /** Bound address of the metrics listener, when one was asked for. */
  metricsAddress (): string | null
  /** Resolves when the run is over (stop(), end of stdin, EPIPE on stdout). */
  readonly done: Promise<ServeResult>
  /** Graceful shutdown; idempotent. */
  stop (reason?: StopReason): Promise<ServeResult>
}

function queueOptions (cfg: ServeConfig): QueueOptions {
  return { maxQueuedAlerts: cfg.maxQueuedAlerts, maxBatchAlerts: cfg.maxBatchAlerts, retryInitialMs: cfg.retryInitialMs, retryMaxMs: cfg.retryMaxMs }
}

/** Parses and checks every endpoint before anything binds, so a typo fails fast with exit 3. */
export function resolveEndpoints (cfg: ServeConfig): { inputs: Endpoint[]; outputs: Endpoint[] } {
  if (cfg.in.length === 0) throw new StormError('E_USAGE', 'no input: give at least one --in (forward://127.0.0.1:24224, tcp://…, unix://…, http://…, or - for stdin)')
  if (cfg.out.length === 0) throw new StormError('E_USAGE', 'no output: give at least one --out (forward://…, tcp://…, unix://…, http://…, or - for stdout)')
  const inputs = cfg.in.map((u) => parseEndpoint(u, 'in'))
  const outputs = cfg.out.map((u) => parseEndpoint(u, 'out'))
  if (inputs.filter((e) => e.scheme === 'stdio').length > 1) throw new StormError('E_USAGE', 'stdin (-) can be an input only once')
  if (outputs.filter((e) => e.scheme === 'stdio').length > 1) throw new StormError('E_USAGE', 'stdout (-) can be an output only once')
  // a CA means different things: on an output it is whom to trust, on an input it makes client
  // certificates mandatory, so one flag must not turn on both (--tls-ca, --tls-client-ca)
  const sides: Array<[Endpoint[], string | undefined]> = [[inputs, cfg.tlsClientCa], [outputs, cfg.tlsCa]]
  for (const [endpoints, ca] of sides) {
    for (const e of endpoints) {
      if (e.scheme !== 'forward') continue
      // flags / config fill in what the URL does not say
      if (e.sharedKey === undefined && cfg.sharedKey !== undefined) e.sharedKey = cfg.sharedKey
      if (e.tls) {
        if (e.tlsFiles.cert === undefined && cfg.tlsCert !== undefined) e.tlsFiles.cert = cfg.tlsCert
        if (e.tlsFiles.key === undefined && cfg.tlsKey !== undefined) e.tlsFiles.key = cfg.tlsKey
        if (e.tlsFiles.ca === undefined && ca !== undefined) e.tlsFiles.ca = ca
      }
      if (!/[?&]tag=/.test(e.url)) e.tag = cfg.tag
    }
  }
  for (const e of inputs) {
    if (e.scheme === 'forward' && e.tls && (e.tlsFiles.cert === undefined || e.tlsFiles.key === undefined)) {
      throw new StormError('E_USAGE', `--in ${redactUrl(e.url)}: forward+tls input needs a certificate and key (?tls_cert=&tls_key= or --tls-cert/--tls-key)`)
    }
  }
  return { inputs, outputs }
}

export async function startServe (cfg: ServeConfig, env: ServeEnv): Promise<ServeHandle> {
  const { log } = env
  const now = env.now ?? Date.now
  const endpoints = resolveEndpoints(cfg)
  const metricsListen = cfg.metricsListen === undefined ? null : parseListen(cfg.metricsListen)
  const stages = env.stages(cfg)
  const pipeline = createPipeline(stages)
  // the default stages expose the detector's eviction counter; substitutes may not
  const own = (stages as { detectorEvictions?: unknown }).detectorEvictions
  const detectorEvictions = env.detectorEvictions ?? (typeof own === 'function' ? own as () => number : undefined)

  let stopping: Promise<ServeResult> | null = null
  let resolveDone: (r: ServeResult) => void = () => {}
  const done = new Promise<ServeResult>((resolve) => { resolveDone = resolve })

  // ---- outputs
  const outputs: AlertOutput[] = []
  const q = queueOptions(cfg)
  try {
    for (const e of endpoints.outputs) {
      const name = redactUrl(e.url)
      switch (e.scheme) {
        case 'stdio': outputs.push(createStdoutOutput(env.stdout, log, () => { void stop('epipe') })); break
        case 'tcp': outputs.push(createSocketOutput({ host: e.host, port: e.port }, q, log, name)); break
        case 'unix': outputs.push(createSocketOutput({ path: e.path }, q, log, name)); break
        case 'http': outputs.push(createHttpOutput(e, q, log, name)); break
        case 'forward': outputs.push(await createForwardOutputAdapter(e, cfg, log, name)); break
      }
    }
  } catch (err) {
    await Promise.all(outputs.map((o) => o.close(0)))
    throw err
  }

  // ---- back-pressure: inputs wait while any output is full
  let readyWaiters: Array<() => void> = []
  const saturated = (): boolean => stopping === null && outputs.some((o) => o.full())
  const wakeReady = (): void => {
    if (saturated() || readyWaiters.length === 0) return
    const ws = readyWaiters
    readyWaiters = []
    for (const w of ws) w()
  }
  for (const o of outputs) o.onProgress(wakeReady)
  let warnedSaturated = false
  const dispatch = (alerts: PipelineAlert[]): void => {
    for (const a of alerts) for (const o of outputs) o.send(a)
    if (!warnedSaturated && saturated()) {
      warnedSaturated = true
      log.warn('an output queue is full: holding inputs back', { outputs: outputs.filter((o) => o.full()).map((o) => o.name) })
    }
  }
  const sink: RecordSink = {
    accept (records) { dispatch(pipeline.push(records, now())) },
    saturated,
    ready () {
      if (!saturated()) return Promise.resolve()
      return new Promise((resolve) => { readyWaiters.push(resolve) })
    }
  }

  // ---- inputs (an error binding one closes what was opened already)
  const inputs: InputAdapter[] = []
  try {
    for (const e of endpoints.inputs) {
      const name = redactUrl(e.url)
      const serverOpts = { maxLineBytes: cfg.maxLineBytes, idleTimeoutMs: cfg.idleTimeoutMs, maxConnections: cfg.maxConnections }
      switch (e.scheme) {
        case 'stdio': inputs.push(startStdinInput(env.stdin, cfg.maxLineBytes, sink, log)); break
        case 'tcp': inputs.push(await startNdjsonServer({ host: e.host, port: e.port }, serverOpts, sink, log, name)); break
        case 'unix': inputs.push(await startNdjsonServer({ path: e.path }, serverOpts, sink, log, name)); break
        case 'http': inputs.push(await startHttpInput(e, { maxBodyBytes: cfg.maxBodyBytes, requestTimeoutMs: 30_000, idleTimeoutMs: cfg.idleTimeoutMs, maxConnections: cfg.maxConnections }, sink, log, name)); break
        case 'forward': inputs.push(await startForwardInput(e, cfg, sink, log, name, stages.recordSkim ?? null)); break
      }
    }
  } catch (err) {
    await Promise.all(inputs.map((i) => i.close(0)))
    await Promise.all(outputs.map((o) => o.close(0)))
    throw err
  }

  const metrics = createServeMetrics({
    pipeline: () => pipeline.stats,
    inputs: () => inputs,
    outputs: () => outputs,
    saturated,
    ...(detectorEvictions === undefined ? {} : { detectorEvictions })
  })
  let metricsServer: MetricsServer | null = null
  if (metricsListen !== null) {
    try {
      metricsServer = await startMetricsServer(metricsListen, {
        metrics: () => metrics.render(),
        health: () => ({ ok: stopping === null, detail: { saturated: saturated(), inputs: inputs.length, outputs: outputs.length } })
      }, log)
    } catch (err) {
      await Promise.all(inputs.map((i) => i.close(0)))
      await Promise.all(outputs.map((o) => o.close(0)))
      throw err
    }
  }

  const ticker = setInterval(() => { if (stopping === null) dispatch(pipeline.tick(now())) }, cfg.tickIntervalMs)
  ticker.unref()

  async function stop (reason: StopReason = 'stop'): Promise<ServeResult> {
    if (stopping !== null) return await stopping
    stopping = (async () => {
      const started = now()
      const left = (): number => Math.max(0, cfg.shutdownTimeoutMs - (now() - started))
      log.info('shutting down', { reason })
      clearInterval(ticker)
      for (const w of readyWaiters.splice(0)) w()
      // 1. stop intake; Forward inputs finish in-flight batches and send their acks
      await Promise.all(inputs.map((i) => i.close(Math.min(left(), Math.max(1000, cfg.shutdownTimeoutMs / 2)))))
      // 2. everything still open resolves with resolvedBy 'shutdown'
      const last = pipeline.flush()
      for (const a of last) for (const o of outputs) o.send(a) // a broken stdout just counts them as dropped
      // 3. deliver within the deadline
      const undelivered = (await Promise.all(outputs.map((o) => o.close(left())))).reduce((a, b) => a + b, 0)
      if (metricsServer !== null) await metricsServer.close(500)
      const s = pipeline.stats
      log.info('stopped', { reason, records: s.records, events: s.events, unparsed: s.unparsed, alerts: Object.values(s.alerts).reduce((a, b) => a + b, 0), undelivered })
      const result: ServeResult = { reason, undelivered, pipeline }
      resolveDone(result)
      return result
    })()
    return await stopping
  }

  // stdin-only runs (pipe) end with their input
  const finite = inputs.filter((i) => i.ended !== undefined)
  if (finite.length === inputs.length) {
    void Promise.all(finite.map((i) => i.ended)).then(() => stop('eof'))
  }

  log.info('serving', { inputs: inputs.map((i) => ({ input: i.name, address: i.address() })), outputs: outputs.map((o) => o.name) })
  return {
    inputs,
    outputs,
    pipeline,
    metrics,
    metricsAddress: () => metricsServer?.address() ?? null,
    done,
    stop
  }
}
