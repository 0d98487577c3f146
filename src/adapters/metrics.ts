// Prometheus metrics, read from the pipeline's and adapters' plain counters at scrape time, so the
// hot path never touches prom-client. Labels are fixed, small sets (input/output kind, event kind,
// unparsed code, rule, status): never a port, lport or peer address.
import { Counter, Gauge, Registry } from 'prom-client'
import type { PipelineStats } from '../pipeline.js'
import type { InputAdapter, AlertOutput } from './contracts.js'

export interface MetricsSources {
  pipeline: () => PipelineStats
  inputs: () => readonly InputAdapter[]
  outputs: () => readonly AlertOutput[]
  saturated: () => boolean
  /** Detector state evictions (bounded tracking), when the detector reports them. */
  detectorEvictions?: () => number
}

export interface ServeMetrics {
  registry: Registry
  /** Prometheus text exposition. */
  render (): Promise<{ contentType: string; body: string }>
}

type Labels = Record<string, string>

function sumBy<T> (items: readonly T[], label: (t: T) => string, value: (t: T) => number): Map<string, number> {
  const m = new Map<string, number>()
  for (const it of items) m.set(label(it), (m.get(label(it)) ?? 0) + value(it))
  return m
}

export function createServeMetrics (src: MetricsSources, prefix = 'claimstorm_'): ServeMetrics {
  const registry = new Registry()
  const counter = (name: string, help: string, labelNames: string[], values: () => Array<[Labels, number]>): void => {
    // eslint-disable-next-line no-new
    new Counter({
      name: prefix + name,
      help,
      labelNames,
      registers: [registry],
      collect () {
        this.reset()
        // zeros too: a series that first appears at 13 shows no increase() to the alert rule watching it
        for (const [labels, v] of values()) if (v >= 0) this.inc(labels, v)
      }
    })
  }
  const gauge = (name: string, help: string, labelNames: string[], values: () => Array<[Labels, number]>): void => {
    // eslint-disable-next-line no-new
    new Gauge({
      name: prefix + name,
      help,
      labelNames,
      registers: [registry],
      collect () {
        this.reset()
        for (const [labels, v] of values()) this.set(labels, v)
      }
    })
  }
  const perInput = (f: (i: InputAdapter) => number) => (): Array<[Labels, number]> =>
    [...sumBy(src.inputs(), (i) => i.kind, f)].map(([input, v]) => [{ input }, v])
  const perOutput = (f: (o: AlertOutput) => number) => (): Array<[Labels, number]> =>
    [...sumBy(src.outputs(), (o) => o.kind, f)].map(([output, v]) => [{ output }, v])
  const fromRecord = (label: string, rec: () => Record<string, number>) => (): Array<[Labels, number]> =>
    Object.entries(rec()).map(([k, v]) => [{ [label]: k }, v])

  counter('input_lines_total', 'NDJSON / raw lines read, by input kind.', ['input'], perInput((i) => i.stats.lines))
  counter('input_records_total', 'Records received, by input kind.', ['input'], perInput((i) => i.stats.records))
  counter('input_bytes_total', 'Bytes received, by input kind.', ['input'], perInput((i) => i.stats.bytes))
  counter('input_rejected_total', 'Malformed or oversized frames, lines or bodies refused, by input kind.', ['input'], perInput((i) => i.stats.rejected))
  gauge('input_connections', 'Input connections open now, by input kind.', ['input'], perInput((i) => i.stats.connections))
  counter('input_connections_total', 'Input connections accepted, by input kind.', ['input'], perInput((i) => i.stats.connectionsTotal))
  counter('forward_acks_total', 'Forward protocol acks sent (after the records were processed).', [], () => [[{}, src.inputs().reduce((n, i) => n + i.stats.acks, 0)]])
  counter('records_total', 'Records that entered the pipeline.', [], () => [[{}, src.pipeline().records]])
  counter('events_total', 'Parsed OVS/OVN events, by event kind.', ['kind'], fromRecord('kind', () => src.pipeline().eventsByKind))
  counter('unparsed_total', 'Lines that could not be read as OVS/OVN log lines, by reason code.', ['code'], fromRecord('code', () => src.pipeline().unparsedByCode))
  counter('alerts_total', 'Alert records emitted, by rule and status (firing, update, resolved).', ['rule', 'status'], () =>
    Object.entries(src.pipeline().alerts).map(([k, v]) => {
      const [rule = '', status = ''] = k.split('|')
      return [{ rule, status }, v]
    }))
  gauge('active_signals', 'Conditions fired and not yet resolved (claim-storm = active storms), by rule.', ['rule'], fromRecord('rule', () => src.pipeline().active))
  gauge('output_queue_depth', 'Alerts accepted by an output and not yet delivered, by output kind.', ['output'], perOutput((o) => o.depth()))
  counter('output_alerts_total', 'Alerts delivered (written, or acknowledged where the protocol acks), by output kind.', ['output'], perOutput((o) => o.stats.delivered))
  counter('output_retries_total', 'Failed delivery attempts that will be retried, by output kind.', ['output'], perOutput((o) => o.stats.retries))
  counter('output_dropped_total', 'Alerts evicted from a full output queue or refused for good, by output kind.', ['output'], perOutput((o) => o.stats.dropped))
  gauge('pipeline_saturated', '1 while an output queue is full and inputs are being held back.', [], () => [[{}, src.saturated() ? 1 : 0]])
  gauge('event_time_seconds', 'Latest event time seen (Unix seconds); compare with time() for ingestion lag.', [], () => {
    const t = src.pipeline().maxEventMs
    return t === null ? [] : [[{}, t / 1000]]
  })
  const evictions = src.detectorEvictions
  if (evictions !== undefined) counter('detector_evictions_total', 'Tracked ports/nodes evicted by the detector to stay within its bounds.', [], () => [[{}, evictions()]])
  counter('forward_protocol_errors_total', 'Forward connections closed for a protocol error, by reason.', ['reason'], () => {
    const m = new Map<string, number>()
    for (const i of src.inputs()) for (const [k, v] of Object.entries(i.protocolErrors?.() ?? {})) m.set(k, (m.get(k) ?? 0) + v)
    return [...m].map(([reason, v]) => [{ reason }, v])
  })

  return {
    registry,
    async render () {
      return { contentType: registry.contentType, body: await registry.metrics() }
    }
  }
}
