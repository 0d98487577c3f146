import t from 'tap'
import { parseEndpoint, parseListen } from '../src/adapters/endpoints.js'
import { isStormError } from '../src/errors.js'

t.test('stdio', async (t) => {
  t.same(parseEndpoint('-', 'in'), { scheme: 'stdio', url: '-' })
  t.same(parseEndpoint(' - ', 'out'), { scheme: 'stdio', url: '-' })
})

t.test('forward with options as query parameters', async (t) => {
  const e = parseEndpoint('forward://127.0.0.1:24225?tag=ovn.alert.x&shared_key=s3cret', 'out')
  t.match(e, { scheme: 'forward', host: '127.0.0.1', port: 24225, tls: false, tag: 'ovn.alert.x', sharedKey: 's3cret', tlsVerify: true })
  const d = parseEndpoint('forward://', 'in')
  t.match(d, { scheme: 'forward', host: '127.0.0.1', port: 24224, tag: 'ovn.alert' }, 'loopback and 24224 by default')
  const tls = parseEndpoint('forward+tls://0.0.0.0:24224?tls_cert=/c.pem&tls_key=/k.pem&tls_ca=/ca.pem', 'in')
  t.match(tls, { scheme: 'forward', tls: true, host: '0.0.0.0', tlsFiles: { cert: '/c.pem', key: '/k.pem', ca: '/ca.pem' } })
  t.match(parseEndpoint('forward+tls://example.net:24224?tls_verify=false', 'out'), { tls: true, tlsVerify: false, host: 'example.net' })
  t.match(parseEndpoint('forward://[::1]:24224', 'in'), { host: '::1' })
})

t.test('tcp, unix, http', async (t) => {
  t.same(parseEndpoint('tcp://127.0.0.1:9000', 'in'), { scheme: 'tcp', url: 'tcp://127.0.0.1:9000', host: '127.0.0.1', port: 9000 })
  t.same(parseEndpoint('tcp://:0', 'in'), { scheme: 'tcp', url: 'tcp://:0', host: '127.0.0.1', port: 0 })
  t.same(parseEndpoint('unix:///run/claimstorm/in.sock', 'in'), { scheme: 'unix', url: 'unix:///run/claimstorm/in.sock', path: '/run/claimstorm/in.sock' })
  t.match(parseEndpoint('http://127.0.0.1:8080/ovn', 'in'), { scheme: 'http', host: '127.0.0.1', port: 8080, path: '/ovn', https: false })
  t.match(parseEndpoint('http://127.0.0.1:8080', 'in'), { path: '/' })
  t.match(parseEndpoint('https://alerts.example.net/in', 'out'), { scheme: 'http', https: true, port: 443 })
})

t.test('refusals name the flag and the reason', async (t) => {
  const bad: Array<[string, 'in' | 'out', RegExp]> = [
    ['127.0.0.1:9000', 'in', /expected -, forward/],
    ['ftp://x:1', 'in', /unknown scheme ftp/],
    ['tcp://127.0.0.1', 'in', /needs a port/],
    ['tcp://127.0.0.1:0', 'out', /port 0 is only valid for inputs/],
    ['tcp://127.0.0.1:99999', 'in', /not a valid URL|out of range/],
    ['forward://127.0.0.1:1?tagg=x', 'out', /unknown option tagg/],
    ['forward://127.0.0.1:1?tls_cert=/c', 'in', /need forward\+tls/],
    ['forward://127.0.0.1:1?tag=', 'out', /tag must not be empty/],
    ['unix://', 'in', /needs a socket path/],
    ['https://127.0.0.1:1/', 'in', /https input is not supported/],
    ['tcp://127.0.0.1:1/path', 'in', /takes no path/]
  ]
  for (const [url, role, re] of bad) {
    try {
      parseEndpoint(url, role)
      t.fail(`accepted ${url}`)
    } catch (err) {
      t.ok(isStormError(err) && err.code === 'E_USAGE', `${url}: StormError E_USAGE`)
      t.match((err as Error).message, re, url)
      t.match((err as Error).message, `--${role}`)
    }
  }
})

t.test('parseListen', async (t) => {
  t.same(parseListen('127.0.0.1:9464'), { host: '127.0.0.1', port: 9464 })
  t.same(parseListen('9464'), { host: '127.0.0.1', port: 9464 })
  t.same(parseListen(':9464'), { host: '127.0.0.1', port: 9464 })
  t.same(parseListen('[::1]:0'), { host: '::1', port: 0 })
  t.throws(() => parseListen('nope'), /host:port/)
  t.throws(() => parseListen('1.2.3.4:70000'), /out of range/)
})

t.test('forward+tls input: certificate from the URL or the flags, else refused', async (t) => {
  const { resolveEndpoints } = await import('../src/adapters/serve-runtime.js')
  const { mergeConfig } = await import('../src/adapters/config.js')
  t.throws(() => resolveEndpoints(mergeConfig({ in: ['forward+tls://127.0.0.1:0'], out: ['-'] })), /needs a certificate and key/)
  const r = resolveEndpoints(mergeConfig({ in: ['forward+tls://127.0.0.1:0?tls_key=/url.key'], out: ['forward://127.0.0.1:1'], tlsCert: '/flag.crt', tlsKey: '/flag.key', sharedKey: 'k', tag: 'x.y' }))
  t.match(r.inputs[0], { tlsFiles: { cert: '/flag.crt', key: '/url.key' }, sharedKey: 'k' }, 'URL wins, flags fill in')
  t.match(r.outputs[0], { tag: 'x.y', sharedKey: 'k' })
  const kept = resolveEndpoints(mergeConfig({ in: ['-'], out: ['forward://127.0.0.1:1?tag=mine', 'forward://:24225'], tag: 'x.y' }))
  t.match(kept.outputs[0], { tag: 'mine' })
  t.match(kept.outputs[1], { tag: 'x.y', host: '127.0.0.1', port: 24225 })
})
