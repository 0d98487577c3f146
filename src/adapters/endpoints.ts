// One URL per endpoint (`--in forward://127.0.0.1:24224`, `--out -`), parsed and validated once at
// startup. Options that belong to one endpoint ride along as query parameters.
import { StormError } from '../errors.js'

export type EndpointRole = 'in' | 'out'

/** TLS files for `forward+tls` (PEM paths). */
export interface TlsFiles {
  cert?: string
  key?: string
  ca?: string
}

export type Endpoint =
  | { scheme: 'stdio'; url: string }
  | {
    scheme: 'forward'
    url: string
    host: string
    port: number
    tls: boolean
    tlsFiles: TlsFiles
    /** Forward tag of the alerts (outputs only). */
    tag: string
    sharedKey?: string
    /** Our hostname in the shared_key handshake. */
    selfHostname?: string
    /** Verify the peer's certificate (outputs; `tls_verify=false` for self-signed tests). */
    tlsVerify: boolean
  }
  | { scheme: 'tcp'; url: string; host: string; port: number }
  | { scheme: 'unix'; url: string; path: string }
  | { scheme: 'http'; url: string; host: string; port: number; path: string; https: boolean }

export type EndpointScheme = Endpoint['scheme']

/** Where endpoints bind / connect when the URL names no host: loopback only, never all interfaces. */
export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_FORWARD_PORT = 24224
export const DEFAULT_ALERT_TAG = 'ovn.alert'

const FORWARD_PARAMS = new Set(['tag', 'shared_key', 'self_hostname', 'tls_cert', 'tls_key', 'tls_ca', 'tls_verify'])

/** Parses one endpoint URL; throws `StormError('E_USAGE')` with the offending text. */
export function parseEndpoint (text: string, role: EndpointRole): Endpoint {
  const raw = text.trim()
  if (raw === '-') return { scheme: 'stdio', url: '-' }
  const bad = (why: string): StormError => new StormError('E_USAGE', `--${role} ${JSON.stringify(text)}: ${why}`)
  const m = /^([a-z][a-z0-9+]*):\/\//i.exec(raw)
  if (m === null) throw bad('expected -, forward://, forward+tls://, tcp://, unix:// or http://')
  const scheme = (m[1] ?? '').toLowerCase()
  if (scheme === 'unix') {
    const rest = raw.slice(m[0].length)
    const q = rest.indexOf('?')
    const path = decodeURIComponent(q === -1 ? rest : rest.slice(0, q))
    if (path === '') throw bad('unix:// needs a socket path, e.g. unix:///run/claimstorm.sock')
    if (q !== -1 && rest.slice(q + 1) !== '') throw bad('unix:// takes no options')
    return { scheme: 'unix', url: raw, path }
  }
  let url: URL
  try {
    // `tcp://:9000` (no host) is not a WHATWG URL; it means the default host
    url = new URL(raw.slice(m[0].length).startsWith(':') ? `${m[0]}${DEFAULT_HOST}${raw.slice(m[0].length)}` : raw)
  } catch {
    throw bad('not a valid URL')
  }
  const host = url.hostname === '' ? DEFAULT_HOST : url.hostname.replace(/^\[(.*)\]$/, '$1')
  const portOf = (fallback: number | null): number => {
    if (url.port === '') {
      if (fallback === null) throw bad('needs a port')
      return fallback
    }
    const p = Number(url.port)
    if (!Number.isInteger(p) || p < 0 || p > 65535) throw bad('port out of range')
    if (p === 0 && role === 'out') throw bad('port 0 is only valid for inputs')
    return p
  }
  const params = url.searchParams
  const onlyParams = (allowed: Set<string>): void => {
    for (const k of params.keys()) if (!allowed.has(k)) throw bad(`unknown option ${k} (known: ${[...allowed].join(', ') || 'none'})`)
  }
  switch (scheme) {
    case 'forward':
    case 'forward+tls': {
      onlyParams(FORWARD_PARAMS)
      const tls = scheme === 'forward+tls'
      const tlsFiles: TlsFiles = {}
      const cert = params.get('tls_cert'); if (cert !== null) tlsFiles.cert = cert
      const key = params.get('tls_key'); if (key !== null) tlsFiles.key = key
      const ca = params.get('tls_ca'); if (ca !== null) tlsFiles.ca = ca
      if (!tls && (cert !== null || key !== null || ca !== null)) throw bad('tls_* options need forward+tls://')
      // a forward+tls input also needs a certificate and key: from the URL or --tls-cert/--tls-key (checked in resolveEndpoints)
      const verify = params.get('tls_verify')
      if (verify !== null && verify !== 'true' && verify !== 'false') throw bad('tls_verify is true or false')
      const tag = params.get('tag') ?? DEFAULT_ALERT_TAG
      if (tag === '') throw bad('tag must not be empty')
      const ep: Endpoint = { scheme: 'forward', url: raw, host, port: portOf(DEFAULT_FORWARD_PORT), tls, tlsFiles, tag, tlsVerify: verify !== 'false' }
      const sk = params.get('shared_key'); if (sk !== null) ep.sharedKey = sk
      const sh = params.get('self_hostname'); if (sh !== null) ep.selfHostname = sh
      return ep
    }
    case 'tcp':
      onlyParams(new Set())
      if (url.pathname !== '' && url.pathname !== '/') throw bad('tcp:// takes no path')
      return { scheme: 'tcp', url: raw, host, port: portOf(null) }
    case 'http':
    case 'https':
      onlyParams(new Set())
      if (scheme === 'https' && role === 'in') throw bad('https input is not supported: terminate TLS in front, or use forward+tls')
      return { scheme: 'http', url: raw, host, port: portOf(scheme === 'https' ? 443 : null), path: url.pathname === '' ? '/' : url.pathname, https: scheme === 'https' }
    default:
      throw bad(`unknown scheme ${scheme}:// (expected forward, forward+tls, tcp, unix, http or -)`)
  }
}

/** `host:port` for `--metrics-listen`; host defaults to 127.0.0.1. */
export function parseListen (text: string, flag = '--metrics-listen'): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text.trim()) ?? /^()()(\d+)$/.exec(text.trim())
  if (m === null) throw new StormError('E_USAGE', `${flag} ${JSON.stringify(text)}: expected host:port or port`)
  const port = Number(m[3])
  if (!Number.isInteger(port) || port > 65535) throw new StormError('E_USAGE', `${flag} ${JSON.stringify(text)}: port out of range`)
  const host = m[1] !== undefined && m[1] !== '' ? m[1] : m[2] !== undefined && m[2] !== '' ? m[2] : DEFAULT_HOST
  return { host, port }
}
