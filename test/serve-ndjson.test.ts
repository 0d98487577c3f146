// NDJSON over TCP and unix sockets, in and out (Vector socket sink / source), with stand-in stages.
import t from 'tap'
import * as net from 'node:net'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectSend, fbRecord, ndjsonReceiver, startTestServe, waitUntil } from './helpers/serve-harness.js'

const nd = (...recs: unknown[]): string => recs.map((r) => JSON.stringify(r)).join('\n') + '\n'

t.test('TCP NDJSON in → TCP NDJSON out; malformed line closes that connection only', async (t) => {
  const rx = await ndjsonReceiver()
  const s = await startTestServe({ in: ['tcp://127.0.0.1:0'], out: [`tcp://127.0.0.1:${rx.port}`] })
  t.teardown(async () => { await s.handle.stop(); await rx.close() })

  // a long-lived connection, like Vector's socket sink keeps
  const good = net.createConnection(s.port(), '127.0.0.1')
  await new Promise((resolve) => good.once('connect', resolve))
  good.write(nd(fbRecord('x FIRE:a', 'gw1')))
  await rx.waitFor(1)
  t.same(JSON.parse(rx.lines[0] ?? ''), { id: 'a', status: 'firing', node: 'gw1' })

  // a record split across writes is reassembled
  const text = nd(fbRecord('y FIRE:b', 'gw2'))
  good.write(text.slice(0, 7))
  await new Promise((resolve) => setTimeout(resolve, 20))
  good.write(text.slice(7))
  await rx.waitFor(2)
  t.same(JSON.parse(rx.lines[1] ?? ''), { id: 'b', status: 'firing', node: 'gw2' })

  // another connection sends garbage after one good record: it is closed, with one log line
  const bad = await connectSend({ port: s.port() }, nd(fbRecord('FIRE:c', 'gw3')) + '{"log": "unterminated\n' + nd(fbRecord('FIRE:never', 'gw3')))
  t.ok(bad.closedByPeer, 'the bad connection was closed by claimstorm')
  await rx.waitFor(3)
  t.same(JSON.parse(rx.lines[2] ?? ''), { id: 'c', status: 'firing', node: 'gw3' }, 'records before the bad line still count')
  const warn = s.logs.filter((l) => l['msg'] === 'malformed NDJSON record, closing connection')
  t.equal(warn.length, 1, 'one clear log line')
  t.match(warn[0], { level: 'warn', input: 'tcp://127.0.0.1:0' })

  // the first connection still works
  good.write(nd(fbRecord('z CLEAR:a', 'gw1')))
  await rx.waitFor(4)
  t.same(JSON.parse(rx.lines[3] ?? ''), { id: 'a', status: 'resolved', node: 'gw1' })
  t.notOk(rx.lines.some((l) => l.includes('never')), 'nothing after the bad line was taken')
  const st = s.handle.inputs[0]?.stats
  t.equal(st?.rejected, 1)
  t.equal(st?.records, 4)
  good.destroy()
})

t.test('unix socket in and out, oversized line refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'claimstorm-'))
  const outPath = join(dir, 'out.sock')
  const inPath = join(dir, 'in.sock')
  const rx = await ndjsonReceiver({ path: outPath })
  const s = await startTestServe({ in: [`unix://${inPath}`], out: [`unix://${outPath}`], maxLineBytes: 256 })
  t.teardown(async () => { await s.handle.stop(); await rx.close() })
  t.equal(s.addr(), inPath)
  const big = await connectSend({ path: inPath }, JSON.stringify(fbRecord('FIRE:big ' + 'x'.repeat(1000), 'gw1')) + '\n')
  t.ok(big.closedByPeer)
  t.ok(s.logs.some((l) => l['msg'] === 'NDJSON line over the size limit, closing connection' && l['maxLineBytes'] === 256))
  const ok = net.createConnection(inPath)
  ok.end(nd(fbRecord('FIRE:u1', 'hv1'), 'plain string line FIRE:u2'))
  await rx.waitFor(2)
  t.same(rx.lines.map((l) => JSON.parse(l) as unknown), [{ id: 'u1', status: 'firing', node: 'hv1' }, { id: 'u2', status: 'firing', node: 'unknown' }])
  t.notOk(rx.lines.some((l) => l.includes('big')))
})

t.test('a final line without newline counts at end of connection; idle connections close', async (t) => {
  const s = await startTestServe({ in: ['tcp://127.0.0.1:0'], out: ['-'], idleTimeoutMs: 100 })
  t.teardown(async () => { await s.handle.stop() })
  const c = net.createConnection(s.port(), '127.0.0.1')
  c.end(JSON.stringify(fbRecord('FIRE:tail', 'gw1')))
  await waitUntil(() => s.stdout.length === 1)
  t.same(JSON.parse(s.stdout[0] ?? ''), { id: 'tail', status: 'firing', node: 'gw1' })
  const idle = await connectSend({ port: s.port() }, '')
  t.ok(idle.closedByPeer, 'idle connection closed')
  t.ok(s.logs.some((l) => l['msg'] === 'closing idle connection'))
})

t.test('shutdown flushes open conditions as resolved by shutdown', async (t) => {
  const rx = await ndjsonReceiver()
  const s = await startTestServe({ in: ['tcp://127.0.0.1:0'], out: [`tcp://127.0.0.1:${rx.port}`, '-'] })
  const c = net.createConnection(s.port(), '127.0.0.1')
  c.write(nd(fbRecord('FIRE:open1', 'gw1'), fbRecord('FIRE:open2', 'gw2')))
  await rx.waitFor(2)
  const r = await s.handle.stop('signal')
  t.equal(r.undelivered, 0)
  await rx.waitFor(4)
  const resolved = rx.lines.slice(2).map((l) => JSON.parse(l) as Record<string, unknown>)
  t.same(resolved.map((x) => [x['id'], x['status'], x['resolvedBy']]), [['open1', 'resolved', 'shutdown'], ['open2', 'resolved', 'shutdown']])
  t.equal(s.stdout.length, 4, 'every output got them')
  await rx.close()
  c.destroy()
})

t.test('output queue: bounded, evicts the oldest, counts it, delivers the rest in order', async (t) => {
  const { createQueuedOutput } = await import('../src/adapters/queued-output.js')
  const { silentLogger } = await import('../src/adapters/log.js')
  let up = false
  const delivered: string[] = []
  const out = createQueuedOutput({
    kind: 'tcp',
    name: 'test',
    log: silentLogger,
    options: { maxQueuedAlerts: 3, maxBatchAlerts: 2, retryInitialMs: 5, retryMaxMs: 20 },
    deliver: async (batch) => {
      if (!up) return 'retry'
      delivered.push(...batch.map((a) => a.json))
      return 'ok'
    }
  })
  const alert = (id: string): Parameters<typeof out.send>[0] => ({ json: id, record: {}, signal: { kind: 'port-flap', key: id, status: 'firing', severity: 'warning', startMs: 0, lastMs: 0, lport: id, node: 'n', claims: 0, releases: 0, cyclesPerSec: 0 } })
  for (const id of ['a1', 'a2', 'a3', 'a4', 'a5']) out.send(alert(id))
  t.equal(out.depth(), 3)
  t.ok(out.full())
  t.equal(out.stats.dropped, 2, 'two evicted')
  await waitUntil(() => out.stats.retries >= 2)
  up = true
  await waitUntil(() => delivered.length === 3)
  // a1 was already in flight (the first delivery attempt) when the queue overflowed: the oldest *queued* ones go
  t.same(delivered, ['a1', 'a4', 'a5'])
  t.equal(out.depth(), 0)
  t.notOk(out.full())
  t.equal(await out.close(100), 0)
  out.send(alert('late'))
  t.equal(out.stats.dropped, 3, 'after close: dropped, not queued')
})
