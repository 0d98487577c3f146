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
