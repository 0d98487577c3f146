// HTTP input (NDJSON and JSON array bodies, 400 / 413 / 503), /healthz + /metrics, HTTP output with retry.
import t from 'tap'
import { gzipSync } from 'node:zlib'
import * as net from 'node:net'
import { fbRecord, httpReceiver, ndjsonReceiver, startTestServe, waitUntil } from './helpers/serve-harness.js'

async function post (port: number, path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson', ...headers } })
  return { status: res.status, body: await res.text(), headers: res.headers }
}

t.test('HTTP NDJSON and JSON array in; 400 on garbage; 413 on oversize; gzip', async (t) => {
  const s = await startTestServe({ in: ['http://127.0.0.1:0/ingest'], out: ['-'], maxBodyBytes: 4096 })
  t.teardown(async () => { await s.handle.stop() })
  const port = s.port()

  // Fluent Bit http output, format json_lines / Vector http sink with newline framing
  const r1 = await post(port, '/ingest', JSON.stringify(fbRecord('FIRE:nd1', 'gw1')) + '\n' + JSON.stringify(fbRecord('FIRE:nd2', 'gw2')) + '\n')
  t.equal(r1.status, 200)
  t.same(JSON.parse(r1.body), { accepted: 2 })
  // Fluent Bit http output, format json: one array
  const r2 = await post(port, '/ingest', JSON.stringify([{ message: 'FIRE:arr1', kubernetes: { host: 'gw3' } }, fbRecord('FIRE:arr2', 'gw3')]), { 'content-type': 'application/json' })
  t.equal(r2.status, 200)
  t.same(JSON.parse(r2.body), { accepted: 2 })
  await waitUntil(() => s.stdout.length === 3)
  t.same(s.stdout.map((l) => (JSON.parse(l) as { id: string }).id), ['nd1', 'nd2', 'arr2'], 'stub stages read `log` only: the `message` record counted, no alert')

  const bad = await post(port, '/ingest', JSON.stringify(fbRecord('FIRE:no', 'gw1')) + '\n{nope\n')
  t.equal(bad.status, 400)
  t.match(JSON.parse(bad.body), { error: /line 2/ })
  const badArr = await post(port, '/ingest', '[{"log": 1},')
  t.equal(badArr.status, 400)
  const big = await post(port, '/ingest', JSON.stringify(fbRecord('FIRE:big' + 'x'.repeat(5000), 'gw1')) + '\n')
  t.equal(big.status, 413)
  const bomb = await post(port, '/ingest', gzipSync(Buffer.alloc(100_000, 0x20)), { 'content-encoding': 'gzip' })
  t.equal(bomb.status, 413, 'decompressed size is capped too')
  const gz = await post(port, '/ingest', gzipSync(JSON.stringify(fbRecord('FIRE:gz', 'gw1')) + '\n'), { 'content-encoding': 'gzip' })
  t.equal(gz.status, 200)
  const wrongPath = await post(port, '/other', '{}')
  t.equal(wrongPath.status, 404)
  const get = await fetch(`http://127.0.0.1:${port}/ingest`)
  t.equal(get.status, 405)
  await waitUntil(() => s.stdout.length === 4)
  t.notOk(s.stdout.some((l) => l.includes('"no"') || l.includes('big')), 'refused bodies were not taken, not even their good lines')
  t.equal(s.handle.inputs[0]?.stats.rejected, 4)
  t.equal(s.logs.filter((l) => l['msg'] === 'malformed HTTP body, refused').length, 2)
})

t.test('/healthz and /metrics; counters move', async (t) => {
  const s = await startTestServe({ in: ['http://127.0.0.1:0'], out: ['-'], metricsListen: '127.0.0.1:0' })
  t.teardown(async () => { await s.handle.stop() })
  const m = s.handle.metricsAddress()
  t.ok(m !== null)
  const health = await fetch(`http://${m}/healthz`)
  t.equal(health.status, 200)
  t.match(await health.json(), { status: 'ok', saturated: false })
  const scrape = async (): Promise<string> => await (await fetch(`http://${m}/metrics`)).text()
  const before = await scrape()
  t.notMatch(before, /claimstorm_input_records_total\{input="http"\} [1-9]/)
  await post(s.port(), '/', [fbRecord('FIRE:m1', 'gw1'), fbRecord('noise', 'gw1'), { nolog: true }].map((r) => JSON.stringify(r)).join('\n'))
  await waitUntil(() => s.stdout.length === 1)
  const after = await scrape()
  t.match(after, /claimstorm_input_records_total\{input="http"\} 3/)
  t.match(after, /claimstorm_events_total\{kind="vlog"\} 2/)
  t.match(after, /claimstorm_unparsed_total\{code="no-message"\} 1/)
  t.match(after, /claimstorm_alerts_total\{rule="port-flap",status="firing"\} 1/)
  t.match(after, /claimstorm_active_signals\{rule="port-flap"\} 1/)
  t.match(after, /claimstorm_output_alerts_total\{output="stdout"\} 1/)
  t.match(after, /claimstorm_input_connections_total\{input="http"\} [1-9]/)
  t.match(after, /# TYPE claimstorm_output_queue_depth gauge/)
  t.notMatch(after, /lport=|port="/, 'no per-port labels')
  const notFound = await fetch(`http://${m}/nope`)
  t.equal(notFound.status, 404)
})

t.test('HTTP output retries 503 with backoff, nothing lost, order kept', async (t) => {
  let answer = 503
  const rx = await httpReceiver(() => answer)
  const s = await startTestServe({ in: ['tcp://127.0.0.1:0'], out: [`http://127.0.0.1:${rx.port}/alerts`] })
  t.teardown(async () => { await s.handle.stop(); await rx.close() })
  net.createConnection(s.port(), '127.0.0.1').end(['FIRE:h1', 'FIRE:h2', 'FIRE:h3'].map((l) => JSON.stringify(fbRecord(l, 'gw1'))).join('\n') + '\n')
  await waitUntil(() => (s.handle.outputs[0]?.stats.retries ?? 0) >= 2)
  t.equal(rx.bodies.length, 0)
  answer = 200
  await waitUntil(() => rx.bodies.join('').split('\n').filter(Boolean).length === 3)
  // the queue lets go of a batch when the POST is answered, which the client sees a moment after the receiver has it
  await waitUntil(() => s.handle.outputs[0]?.depth() === 0, 5000, 'output queue drained')
  t.equal(s.handle.outputs[0]?.depth(), 0)
  t.same(rx.bodies.join('').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id), ['h1', 'h2', 'h3'], 'each alert once, in order')
})

t.test('a full output queue holds inputs back: HTTP 503, TCP paused, /healthz says saturated', async (t) => {
  const dead = await ndjsonReceiver()
  const deadPort = dead.port
  await dead.close() // nothing listens there now
  const s = await startTestServe({ in: ['http://127.0.0.1:0', 'tcp://127.0.0.1:0'], out: [`tcp://127.0.0.1:${deadPort}`], maxQueuedAlerts: 2, metricsListen: '127.0.0.1:0', shutdownTimeoutMs: 300 })
  t.teardown(async () => { await s.handle.stop() })
  const r = await post(s.port(0), '/', [fbRecord('FIRE:q1', 'gw1'), fbRecord('FIRE:q2', 'gw1')].map((x) => JSON.stringify(x)).join('\n'))
  t.equal(r.status, 200)
  const r2 = await post(s.port(0), '/', JSON.stringify(fbRecord('FIRE:q3', 'gw1')))
  t.equal(r2.status, 503)
  t.equal(r2.headers.get('retry-after'), '1')
  const h = await fetch(`http://${s.handle.metricsAddress() ?? ''}/healthz`)
  t.match(await h.json(), { saturated: true })
  const metrics = await (await fetch(`http://${s.handle.metricsAddress() ?? ''}/metrics`)).text()
  t.match(metrics, /claimstorm_pipeline_saturated 1/)
  t.match(metrics, /claimstorm_output_queue_depth\{output="tcp"\} 2/)
  // the receiver comes back on the same port: the queue drains and intake resumes
  const back = await ndjsonReceiver({ port: deadPort })
  t.teardown(() => back.close())
  await back.waitFor(2)
  const r3 = await post(s.port(0), '/', JSON.stringify(fbRecord('FIRE:q4', 'gw1')))
  t.equal(r3.status, 200)
  await back.waitFor(3)
  t.same(back.lines.map((l) => (JSON.parse(l) as { id: string }).id), ['q1', 'q2', 'q4'])
})

t.test('--max-connections bounds the HTTP input too: the extra connection is closed, a free slot serves again', async (t) => {
  const s = await startTestServe({ in: ['http://127.0.0.1:0'], out: ['-'], maxConnections: 1, shutdownTimeoutMs: 300 })
  t.teardown(async () => { await s.handle.stop() })
  const first = net.createConnection(s.port(0), '127.0.0.1')
  await new Promise<void>((resolve) => { first.once('connect', () => { resolve() }) })
  await waitUntil(() => s.handle.inputs[0]?.stats.connections === 1, 5000, 'first connection counted')
  const second = net.createConnection(s.port(0), '127.0.0.1')
  second.on('error', () => {})
  second.write('POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}')
  const answer = await new Promise<string>((resolve) => {
    let got = ''
    second.on('data', (b: Buffer) => { got += b.toString() })
    second.once('close', () => { resolve(got) })
    setTimeout(() => { resolve(`still open after 3 s: ${got}`); second.destroy() }, 3000).unref()
  })
  t.equal(answer, '', 'closed without an answer')
  first.destroy()
  await waitUntil(() => s.handle.inputs[0]?.stats.connections === 0, 5000, 'first connection gone')
  const r = await post(s.port(0), '/', JSON.stringify(fbRecord('plain line', 'gw1')))
  t.equal(r.status, 200)
})
