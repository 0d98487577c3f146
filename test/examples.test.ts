// The claimstorm side of every example in examples/: load the config a user would copy, start serve
// with it (ports moved to loopback / port 0), send records shaped as that shipper sends them, and
// get an alert out. Plus consistency between each shipper config and the claimstorm config.
import t, { type Test } from 'tap'
import * as net from 'node:net'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { parse as parseYaml, parseAllDocuments } from 'yaml'
import { FluentClient, EventTime } from '@fluent-org/logger'
import { parseConfigText, type ServeConfig } from '../src/adapters/config.js'
import { parseEndpoint } from '../src/adapters/endpoints.js'
import { createDefaultStages } from '../src/adapters/stages.js'
import { ForwardServer } from '../src/adapters/forward/server.js'
import { labGroundTruth } from './helpers/fixtures.js'
import { labRecords, ndjsonReceiver, startTestServe, waitUntil } from './helpers/serve-harness.js'

const EX = fileURLToPath(new URL('../examples/', import.meta.url))
const SCENARIO = '07-multi-gw-bad-node-storm'
const truth = labGroundTruth('sample', SCENARIO)

interface Alert { event: { action: string }; labels: Record<string, string>; ovn: { lport?: string; suspects?: Array<{ node: string }> } }

/** Moves an endpoint URL to loopback: `port` given, or 0 for inputs. Keeps the query (tag, …). */
function local (url: string, port: number): string {
  return url.replace(/^([a-z+]+:\/\/)[^/?]+/, `$1127.0.0.1:${port}`)
}
function portOf (url: string): number {
  const e = parseEndpoint(url, 'out')
  return 'port' in e ? e.port : -1
}

async function forwardReceiver (): Promise<{ got: Array<{ tag: string; record: Alert }>; port: number; server: ForwardServer }> {
  const got: Array<{ tag: string; record: Alert }> = []
  const server = new ForwardServer({ onBatch: (b) => { for (const e of b.entries) got.push({ tag: b.tag, record: e.record as unknown as Alert }) } })
  const a = await server.listen({ host: '127.0.0.1', port: 0 })
  return { got, port: a.port, server }
}

function checkStorms (t: Test, alerts: Alert[]): void {
  const storms = alerts.filter((a) => a.labels['rule'] === 'claim-storm' && a.event.action === 'firing')
  t.same(storms.map((a) => a.ovn.lport).sort(), [...truth.storm_lports].sort(), 'a storm alert per stormed port')
  t.ok(storms.every((a) => a.ovn.suspects?.[0]?.node === truth.bad_node), `${truth.bad_node ?? ''} first everywhere`)
}

t.test('Fluent Bit example: forward in (FluentClient, Fluent Bit–shaped records), forward out to the alert input', async (t) => {
  const cfg = parseConfigText(readFileSync(join(EX, 'fluent-bit', 'claimstorm.yaml'), 'utf8'), 'fluent-bit/claimstorm.yaml')
  const fb = parseYaml(readFileSync(join(EX, 'fluent-bit', 'fluent-bit.yaml'), 'utf8')) as { pipeline: { inputs: Array<Record<string, unknown>>; outputs: Array<Record<string, unknown>> } }
  const inUrl = cfg.in?.[0] ?? ''
  const outUrl = cfg.out?.[0] ?? ''
  // the shipper config and claimstorm's agree
  const fwdOut = fb.pipeline.outputs.find((o) => o['name'] === 'forward')
  t.equal(fwdOut?.['port'], portOf(inUrl), 'Fluent Bit forward output → claimstorm forward input port')
  t.match(String(fwdOut?.['require_ack_response']), /^(on|true)$/i, 'acks on')
  t.match(String(fwdOut?.['retain_metadata_in_forward_mode']), /^(off|false)$/i, 'metadata mode set explicitly')
  const fwdIn = fb.pipeline.inputs.find((i) => i['name'] === 'forward')
  t.equal(fwdIn?.['port'], portOf(outUrl), 'claimstorm forward output → Fluent Bit alert input port')
  const tag = parseEndpoint(outUrl, 'out')
  t.equal(fwdIn?.['tag'], 'tag' in tag ? tag.tag : '', 'alert tag')
  for (const o of fb.pipeline.outputs.filter((x) => x['name'] === 'loki' || x['name'] === 'es')) t.equal(o['match'], fwdIn?.['tag'], `${String(o['name'])} matches the alert tag`)
  const conf = readFileSync(join(EX, 'fluent-bit', 'fluent-bit.conf'), 'utf8')
  t.match(conf, new RegExp(`Port\\s+${portOf(inUrl)}`), 'classic config: same forward port')
  t.match(conf, /Require_ack_response\s+On/)
  t.match(conf, /Retain_metadata_in_forward_mode\s+Off/)
  const lokiLabels = String(fb.pipeline.outputs.find((o) => o['name'] === 'loki')?.['labels'])

  const rx = await forwardReceiver()
  const s = await startTestServe({ ...cfg, in: [local(inUrl, 0)], out: [local(outUrl, rx.port)], metricsListen: '127.0.0.1:0' }, (c: ServeConfig) => createDefaultStages(c))
  t.teardown(async () => { await s.handle.stop(); await rx.server.close() })
  // what tail + cri + kubernetes filter + forward output send
  const client = new FluentClient('kube.var.log.containers', { socket: { host: '127.0.0.1', port: s.port() }, eventMode: 'PackedForward', ack: { ackTimeout: 10_000 }, flushInterval: 10 })
  const recs = await labRecords(SCENARIO)
  try {
    await Promise.all(recs.map((r) => client.emit('ovs-ovn.log', {
      log: r.record.log,
      stream: 'stdout',
      time: new Date(r.timeMs).toISOString(),
      kubernetes: { host: r.record.kubernetes.host, pod_name: `ovs-ovn-${r.record.kubernetes.host}`, namespace_name: 'kube-system', container_name: 'openvswitch' }
    }, new EventTime(Math.floor(r.timeMs / 1000), (r.timeMs % 1000) * 1e6))))
  } finally {
    await client.disconnect()
  }
  await waitUntil(() => rx.got.filter((g) => g.record.labels['rule'] === 'claim-storm' && g.record.event.action === 'firing').length >= truth.storm_lports.length, 10_000)
  checkStorms(t, rx.got.map((g) => g.record))
  t.ok(rx.got.every((g) => g.tag === fwdIn?.['tag']), 'alerts tagged for the loki/es outputs')
  // every label the Loki output reads exists in the alert record, and nothing else is a label
  const wanted = [...lokiLabels.matchAll(/\$labels\['(\w+)'\]/g)].map((m) => m[1] ?? '')
  t.same(wanted.sort(), Object.keys(rx.got[0]?.record.labels ?? {}).sort(), 'Loki labels = the alert record labels')
  const emitted = (): number => Object.values(s.handle.pipeline.stats.alerts).reduce((a, b) => a + b, 0)
  await waitUntil(() => rx.got.length === emitted(), 10_000, 'every alert delivered')
  const metrics = await (await fetch(`http://${s.handle.metricsAddress() ?? ''}/metrics`)).text()
  t.match(metrics, /claimstorm_forward_acks_total [1-9]/)
  const storms = rx.got.filter((g) => g.record.labels['rule'] === 'claim-storm')
  const open = storms.filter((g) => g.record.event.action === 'firing').length - storms.filter((g) => g.record.event.action === 'resolved').length
  t.match(metrics, new RegExp(`claimstorm_active_signals\\{rule="claim-storm"\\} ${open}\\b`), 'active storms = fired - resolved')
  t.match(metrics, /# TYPE claimstorm_detector_evictions_total counter/)
})

t.test('Vector example: socket sink NDJSON in (kubernetes_logs events), NDJSON out to the socket source', async (t) => {
  const cfg = parseConfigText(readFileSync(join(EX, 'vector', 'claimstorm.yaml'), 'utf8'), 'vector/claimstorm.yaml')
  const vec = parseYaml(readFileSync(join(EX, 'vector', 'vector.yaml'), 'utf8')) as { sources: Record<string, Record<string, unknown>>; sinks: Record<string, Record<string, unknown>> }
  const inUrl = cfg.in?.[0] ?? ''
  const outUrl = cfg.out?.[0] ?? ''
  const sink = vec.sinks['claimstorm']
  t.match(sink, { type: 'socket', mode: 'tcp', encoding: { codec: 'json' }, framing: { method: 'newline_delimited' } })
  t.equal(Number(String(sink?.['address']).split(':').pop()), portOf(inUrl), 'Vector socket sink → claimstorm tcp input port')
  const src = vec.sources['claimstorm_alerts']
  t.match(src, { type: 'socket', mode: 'tcp', decoding: { codec: 'json' }, framing: { method: 'newline_delimited' } })
  t.equal(Number(String(src?.['address']).split(':').pop()), portOf(outUrl), 'claimstorm tcp output → Vector socket source port')
  const lokiLabels = vec.sinks['loki']?.['labels'] as Record<string, string>

  const rx = await ndjsonReceiver()
  const s = await startTestServe({ ...cfg, in: [local(inUrl, 0)], out: [local(outUrl, rx.port)] }, (c: ServeConfig) => createDefaultStages(c))
  t.teardown(async () => { await s.handle.stop(); await rx.close() })
  const recs = await labRecords(SCENARIO)
  // a kubernetes_logs event as the json codec encodes it
  const lines = recs.map((r) => JSON.stringify({
    file: `/var/log/pods/kube-system_ovs-ovn-${r.record.kubernetes.host}_0/openvswitch/0.log`,
    kubernetes: { container_name: 'openvswitch', pod_name: `ovs-ovn-${r.record.kubernetes.host}`, pod_namespace: 'kube-system', pod_node_name: r.record.kubernetes.host },
    message: r.record.log,
    source_type: 'kubernetes_logs',
    stream: 'stdout',
    timestamp: new Date(r.timeMs).toISOString()
  }))
  const sock = net.createConnection(s.port(), '127.0.0.1')
  sock.end(lines.join('\n') + '\n')
  await waitUntil(() => rx.lines.map((l) => JSON.parse(l) as Alert).filter((a) => a.labels['rule'] === 'claim-storm' && a.event.action === 'firing').length >= truth.storm_lports.length, 10_000)
  const alerts = rx.lines.map((l) => JSON.parse(l) as Alert)
  checkStorms(t, alerts)
  const templated = Object.entries(lokiLabels).filter(([, v]) => v.includes('{{')).map(([k, v]) => [k, /\{\{\s*labels\.(\w+)\s*\}\}/.exec(v)?.[1]])
  t.ok(templated.every(([k, v]) => k === v), 'each Loki label reads the same-named alert label')
  t.same(templated.map(([k]) => k).sort(), Object.keys(alerts[0]?.labels ?? {}).sort(), 'Loki labels = the alert record labels')
})

t.test('Kubernetes example: the ConfigMap serve.yaml runs, Service and Deployment match it', async (t) => {
  const docs = parseAllDocuments(readFileSync(join(EX, 'kubernetes', 'claimstorm.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, any>)
  const cm = docs.find((d) => d['kind'] === 'ConfigMap')
  const dep = docs.find((d) => d['kind'] === 'Deployment')
  const svc = docs.find((d) => d['kind'] === 'Service')
  t.equal(dep?.['spec']['replicas'], 1, 'exactly one instance')
  t.equal(dep?.['spec']['strategy']['type'], 'Recreate')
  const cfg = parseConfigText(String(cm?.['data']['serve.yaml']), 'ConfigMap serve.yaml')
  const ports = new Set((svc?.['spec']['ports'] as Array<{ port: number }>).map((p) => p.port))
  for (const u of cfg.in ?? []) t.ok(ports.has(portOf(u)), `Service exposes ${u}`)
  t.ok(ports.has(Number(cfg.metricsListen?.split(':').pop())), 'Service exposes metrics')
  const c = dep?.['spec']['template']['spec']['containers'][0]
  t.same(c.args, ['serve', '--config', '/etc/claimstorm/serve.yaml'])
  t.equal(c.readinessProbe.httpGet.path, '/healthz')
  t.ok(dep?.['spec']['template']['spec']['terminationGracePeriodSeconds'] * 1000 > (cfg.shutdownTimeoutMs ?? 0), 'grace period covers the shutdown timeout')

  const rx = await forwardReceiver()
  const ins = (cfg.in ?? []).map((u) => local(u, 0))
  const outs = (cfg.out ?? []).map((u) => (u === '-' ? u : local(u, rx.port)))
  const s = await startTestServe({ ...cfg, in: ins, out: outs, metricsListen: '127.0.0.1:0' }, (c2: ServeConfig) => createDefaultStages(c2))
  t.teardown(async () => { await s.handle.stop(); await rx.server.close() })
  const tcpIdx = s.handle.inputs.findIndex((i) => i.kind === 'tcp')
  const recs = await labRecords(SCENARIO)
  net.createConnection(s.port(tcpIdx), '127.0.0.1').end(recs.map((r) => JSON.stringify({ message: r.record.log, kubernetes: { pod_node_name: r.record.kubernetes.host } })).join('\n') + '\n')
  await waitUntil(() => rx.got.filter((g) => g.record.event.action === 'firing' && g.record.labels['rule'] === 'claim-storm').length >= truth.storm_lports.length, 10_000)
  checkStorms(t, rx.got.map((g) => g.record))
  t.equal(s.stdout.length, rx.got.length, 'the same alerts on stdout (kubectl logs)')
  const health = await fetch(`http://${s.handle.metricsAddress() ?? ''}/healthz`)
  t.equal(health.status, 200)
})
