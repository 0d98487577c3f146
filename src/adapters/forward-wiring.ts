// Glue between serve and the Forward protocol adapter (src/adapters/forward/): URL endpoint →
// server / client options, our logger, the record sink (acks go out only after the records were
// processed and the outputs have room), and counters for /metrics.
import { readFileSync } from 'node:fs'
import { StormError } from '../errors.js'
import { ForwardServer } from './forward/server.js'
import { ForwardOutput } from './forward/output.js'
import type { ForwardLogger } from './forward/types.js'
import type { AlertOutput, InputAdapter, InputStats, OutputStats, RecordSink } from './contracts.js'
import type { ServeConfig } from './config.js'
import { describeAddress } from './ndjson-tcp.js'
import type { Endpoint } from './endpoints.js'
import type { Logger } from './log.js'
import type { RecordSkim } from '../parse/record-skim.js'

type ForwardEndpoint = Extract<Endpoint, { scheme: 'forward' }>

export function forwardLogger (log: Logger, name: string): ForwardLogger {
  return {
    info: (obj, msg) => { log.info(msg, { input: name, ...obj }) },
    warn: (obj, msg) => { log.warn(msg, { input: name, ...obj }) },
    error: (obj, msg) => { log.error(msg, { input: name, ...obj }) }
  }
}

function readPem (path: string, what: string, name: string): Buffer {
  try {
    return readFileSync(path)
  } catch (err) {
    throw new StormError('E_CONFIG', `${name}: cannot read ${what} ${path}: ${(err as Error).message}`, { cause: err })
  }
}

/** `skim`: the pipeline stages' RecordSkim (noise records reach the sink as SkimmedLine), or null. */
export async function startForwardInput (e: ForwardEndpoint, cfg: ServeConfig, sink: RecordSink, log: Logger, name: string, skim: RecordSkim | null = null): Promise<InputAdapter> {
  let lines = 0
  const server = new ForwardServer({
    logger: forwardLogger(log, name),
    maxFrameBytes: cfg.maxFrameBytes,
    maxDecompressedBytes: cfg.maxFrameBytes,
    idleTimeoutMs: cfg.idleTimeoutMs,
    maxConnections: cfg.maxConnections,
    // the pipeline only reads records: the kubernetes map of one pod's records is decoded once
    shareRepeatedMaps: true,
    skimRecords: skim,
    closeTimeoutMs: Math.max(1000, Math.floor(cfg.shutdownTimeoutMs / 2)),
    ...(e.sharedKey === undefined ? {} : { sharedKey: e.sharedKey }),
    ...(e.selfHostname === undefined ? {} : { serverHostname: e.selfHostname }),
    ...(e.tls
      ? {
          tls: {
            cert: readPem(e.tlsFiles.cert ?? '', 'tls_cert', name),
            key: readPem(e.tlsFiles.key ?? '', 'tls_key', name),
            ...(e.tlsFiles.ca === undefined ? {} : { ca: readPem(e.tlsFiles.ca, 'tls_ca', name), requireClientCert: true })
          }
        }
      : {}),
    // the ack (when the client asked for one) is sent after this resolves: records processed, outputs not full
    // (a frame that arrives while an output is full waits before it is processed, so its alerts cannot push
    // queued ones out; the connection reads no further frame meanwhile)
    onBatch: async (batch) => {
      if (sink.saturated()) await sink.ready()
      const records = batch.entries.map((en) => en.skimmed ?? en.record)
      lines += records.length
      if (records.length > 0) sink.accept(records, 'forward')
      if (sink.saturated()) await sink.ready()
    }
  })
  await server.listen({ host: e.host, port: e.port })
  const c = server.counters
  const stats: InputStats = {
    get connections () { return c.connectionsOpen },
    get connectionsTotal () { return c.connectionsTotal },
    get lines () { return lines },
    get records () { return c.records },
    get bytes () { return c.bytesIn },
    get rejected () { return Object.values(c.protocolErrors).reduce((a, b) => a + b, 0) + c.handshakeFailures },
    get acks () { return c.acks }
  }
  const address = (): string => {
    const a = server.address()
    return a === null ? 'closed' : describeAddress({ host: a.address, port: a.port })
  }
  log.info('input listening', { input: name, address: address(), tls: e.tls, sharedKey: e.sharedKey !== undefined })
  return {
    kind: 'forward',
    name,
    stats,
    address,
    protocolErrors: () => c.protocolErrors,
    async close () { await server.close() }
  }
}

/** Alerts as Forward records (FluentClient underneath: ack on, reconnect with backoff, bounded pending queue). */
export async function createForwardOutputAdapter (e: ForwardEndpoint, cfg: ServeConfig, log: Logger, name: string): Promise<AlertOutput> {
  const out = new ForwardOutput({
    host: e.host,
    port: e.port,
    tag: e.tag,
    ack: true,
    maxPendingRecords: cfg.maxQueuedAlerts,
    reconnectDelayMs: cfg.retryInitialMs,
    reconnectMaxDelayMs: cfg.retryMaxMs,
    retryDelayMs: cfg.retryInitialMs,
    retryAttempts: cfg.forwardRetryLimit,
    ackTimeoutMs: cfg.forwardAckTimeoutMs,
    logger: { info: (o, m) => { log.info(m, { output: name, ...o }) }, warn: (o, m) => { log.warn(m, { output: name, ...o }) }, error: (o, m) => { log.error(m, { output: name, ...o }) } },
    ...(e.sharedKey === undefined ? {} : { sharedKey: e.sharedKey }),
    ...(e.selfHostname === undefined ? {} : { clientHostname: e.selfHostname }),
    ...(e.tls
      ? {
          tls: {
            servername: e.host,
            rejectUnauthorized: e.tlsVerify,
            ...(e.tlsFiles.ca === undefined ? {} : { ca: readPem(e.tlsFiles.ca, 'tls_ca', name) }),
            ...(e.tlsFiles.cert === undefined ? {} : { cert: readPem(e.tlsFiles.cert, 'tls_cert', name) }),
            ...(e.tlsFiles.key === undefined ? {} : { key: readPem(e.tlsFiles.key, 'tls_key', name) })
          }
        }
      : {})
  })
  const c = out.counters
  const stats: OutputStats = {
    get accepted () { return c.queued },
    get delivered () { return c.sent },
    get retries () { return c.retries },
    get dropped () { return c.dropped + c.failed }
  }
  return {
    kind: 'forward',
    name,
    stats,
    // the record's Forward time is the alert's own time: start for firing, latest evidence otherwise
    send (alert) { out.send(alert.record as Record<string, unknown>, alert.signal.status === 'firing' ? alert.signal.startMs : alert.signal.lastMs) },
    depth: () => out.pending,
    full: () => out.full,
    onProgress (cb) { out.onProgress(cb) },
    close: async (deadlineMs) => await out.close(Math.max(1, deadlineMs))
  }
}
