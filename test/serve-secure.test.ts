// Forward with shared_key and TLS on both sides of serve, options given as URL query parameters
// and as flags; a client with the wrong key gets nothing in.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FluentClient } from '@fluent-org/logger'
import { ForwardServer } from '../src/adapters/forward/server.js'
import { FIXTURES } from './helpers/fixtures.js'
import { startTestServe, waitUntil } from './helpers/serve-harness.js'

const TLS = join(FIXTURES, 'tls')
const ca = readFileSync(join(TLS, 'ca.crt'))

/** One record from a FluentClient over TLS: 'ok' when acked, else the error or 'no ack' (a refused client keeps reconnecting: give up after a while). */
async function sendOverTls (port: number, id: string, extra: { sharedKey?: string; clientCert?: boolean } = {}): Promise<unknown> {
  const client = new FluentClient('kube', {
    socket: {
      host: '127.0.0.1',
      port,
      tls: { ca, servername: 'localhost', ...(extra.clientCert === true ? { cert: readFileSync(join(TLS, 'client.crt')), key: readFileSync(join(TLS, 'client.key')) } : {}) },
      reconnect: { delay: 10_000 }
    },
    ...(extra.sharedKey === undefined ? {} : { security: { clientHostname: 'fluent-bit-test', sharedKey: extra.sharedKey } }),
    ack: { ackTimeout: 3000 },
    eventRetry: { attempts: 0 }
  })
  try {
    return await Promise.race([
      client.emit('x', { log: `FIRE:${id}`, kubernetes: { host: 'gw1' } }).then(() => 'ok', (err: unknown) => err),
      new Promise((resolve) => setTimeout(() => { resolve('no ack') }, 1500))
    ])
  } finally {
    await client.disconnect().catch(() => {})
  }
}

t.test('forward+tls with shared_key in and out', async (t) => {
  const got: Array<Record<string, unknown>> = []
  const rx = new ForwardServer({
    sharedKey: 'out-key',
    tls: { cert: readFileSync(join(TLS, 'server.crt')), key: readFileSync(join(TLS, 'server.key')) },
    onBatch: (b) => { for (const e of b.entries) got.push(e.record) }
  })
  const a = await rx.listen({ host: '127.0.0.1', port: 0 })
  const s = await startTestServe({
    in: [`forward+tls://127.0.0.1:0?shared_key=in-key&tls_cert=${join(TLS, 'server.crt')}&tls_key=${join(TLS, 'server.key')}`],
    out: [`forward+tls://127.0.0.1:${a.port}?shared_key=out-key&tls_ca=${join(TLS, 'ca.crt')}&self_hostname=claimstorm-test`]
  })
  t.teardown(async () => { await s.handle.stop(); await rx.close() })
  t.notMatch(JSON.stringify(s.logs), /in-key|out-key/, 'keys never logged')
  t.equal(s.handle.inputs[0]?.name.includes('in-key'), false, 'name is redacted')

  const send = (key: string, id: string): Promise<unknown> => sendOverTls(s.port(), id, { sharedKey: key })
  t.equal(await send('in-key', 'tls1'), 'ok', 'right key: acked')
  await waitUntil(() => got.length === 1)
  t.same(got[0], { id: 'tls1', status: 'firing', node: 'gw1' }, 'alert out over TLS with the handshake')
  const wrong = await send('wrong-key', 'nope')
  t.not(wrong, 'ok', 'wrong key: refused')
  t.ok(s.logs.some((l) => l['msg'] === 'forward: shared_key handshake failed, closing connection'), 'one clear log line')
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(s.handle.inputs[0]?.stats.records, 1, 'nothing from the refused client')
  t.ok((s.handle.inputs[0]?.stats.rejected ?? 0) >= 1, 'counted')
})

t.test('flags fill in what the URL does not say', async (t) => {
  const s = await startTestServe({ in: ['forward+tls://127.0.0.1:0'], out: ['-'], tlsCert: join(TLS, 'server.crt'), tlsKey: join(TLS, 'server.key'), sharedKey: 'flag-key' })
  t.teardown(async () => { await s.handle.stop() })
  const client = new FluentClient('kube', {
    socket: { host: '127.0.0.1', port: s.port(), tls: { ca, servername: 'localhost' } },
    security: { clientHostname: 'fb', sharedKey: 'flag-key' },
    ack: { ackTimeout: 3000 }
  })
  await client.emit('x', { log: 'FIRE:flag', kubernetes: { host: 'gw2' } })
  await client.disconnect()
  await waitUntil(() => s.stdout.length === 1)
  t.same(JSON.parse(s.stdout[0] ?? ''), { id: 'flag', status: 'firing', node: 'gw2' })
})

t.test('an unreadable TLS file is a config error (exit 3), nothing left listening', async (t) => {
  const { runCli } = await import('./helpers/cli.js')
  const r = await runCli(['serve', '--in', 'tcp://127.0.0.1:0', '--out', 'forward+tls://127.0.0.1:1?tls_ca=/nonexistent/ca.pem'])
  t.equal(r.code, 3)
  t.match(r.stderr, /cannot read tls_ca \/nonexistent\/ca.pem/)
  const r2 = await runCli(['serve', '--in', `forward+tls://127.0.0.1:0?tls_cert=/nonexistent/c.pem&tls_key=${join(TLS, 'server.key')}`, '--out', '-'])
  t.equal(r2.code, 3)
  t.match(r2.stderr, /cannot read tls_cert/)
})

t.test('--tls-ca is whom outputs trust; only --tls-client-ca (or ?tls_ca= on the input) makes client certificates mandatory', async (t) => {
  const got: Array<Record<string, unknown>> = []
  const rx = new ForwardServer({
    tls: { cert: readFileSync(join(TLS, 'server.crt')), key: readFileSync(join(TLS, 'server.key')) },
    onBatch: (b) => { for (const e of b.entries) got.push(e.record) }
  })
  const a = await rx.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => { await rx.close() })
  const send = (port: number, id: string, withCert: boolean): Promise<unknown> => sendOverTls(port, id, { clientCert: withCert })
  const tlsIn = 'forward+tls://127.0.0.1:0'
  const common = { tlsCert: join(TLS, 'server.crt'), tlsKey: join(TLS, 'server.key') }
  // --tls-ca: the output trusts the private CA; the input still takes clients without a certificate
  const s1 = await startTestServe({ in: [tlsIn], out: [`forward+tls://127.0.0.1:${a.port}`], tlsCa: join(TLS, 'ca.crt'), ...common })
  t.equal(await send(s1.port(), 'no-cert', false), 'ok', 'a client without a certificate is served')
  await waitUntil(() => got.length === 1, 5000, 'alert out through the output that trusts the CA')
  t.same(got[0], { id: 'no-cert', status: 'firing', node: 'gw1' })
  await s1.handle.stop()
  // --tls-client-ca: client certificates are required and verified
  const s2 = await startTestServe({ in: [tlsIn], out: ['-'], tlsClientCa: join(TLS, 'ca.crt'), ...common })
  t.teardown(async () => { await s2.handle.stop() })
  t.not(await send(s2.port(), 'refused', false), 'ok', 'no certificate: refused')
  t.equal(await send(s2.port(), 'with-cert', true), 'ok', 'a certificate signed by the CA: served')
  await waitUntil(() => s2.stdout.length === 1)
  t.same(JSON.parse(s2.stdout[0] ?? ''), { id: 'with-cert', status: 'firing', node: 'gw1' })
})
