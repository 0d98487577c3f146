// `claimstorm serve` options: one table drives the commander flags, the YAML config file keys
// (same names as the flags, without the dashes), validation and docs/serve.md.
// Precedence: built-in default < config file < command-line flag.
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { StormError } from '../errors.js'
import { isLogLevel, type LogLevel } from './log.js'

export type OptionType = 'int' | 'string' | 'list' | 'level'

export interface OptionSpec {
  /** Flag and config key (`max-line-bytes`). */
  key: string
  /** Field of `ServeConfig`. */
  field: keyof ServeConfig
  type: OptionType
  /** Placeholder in --help (`<bytes>`): says the unit. */
  arg: string
  description: string
  /** Shown in --help and docs; `undefined` = unset. */
  default?: number | string | string[]
  min?: number
}

export interface ServeConfig {
  /** Input endpoint URLs. @default [] */
  in: string[]
  /** Output endpoint URLs. @default [] */
  out: string[]
  /** Dotted path of the log line in a record; unset = try `log`, `message`, `MESSAGE`. */
  messageKey?: string
  /** Dotted path of the node name in a record; unset = `kubernetes.host`, `kubernetes.pod_node_name`, `host`, `hostname`. */
  nodeKey?: string
  /** `host:port` for /healthz and /metrics; unset = no listener. */
  metricsListen?: string
  /** Forward tag of alerts for outputs that do not set `?tag=`. @default 'ovn.alert' */
  tag: string
  /** Forward shared key for endpoints that do not set `?shared_key=`. */
  sharedKey?: string
  /** TLS certificate (PEM path) for forward+tls inputs without `?tls_cert=`. */
  tlsCert?: string
  /** TLS key (PEM path) for forward+tls inputs without `?tls_key=`. */
  tlsKey?: string
  /** CA bundle (PEM path) that forward+tls outputs without `?tls_ca=` trust. */
  tlsCa?: string
  /** CA bundle (PEM path) for forward+tls inputs without `?tls_ca=`: client certificates become required and are verified against it. */
  tlsClientCa?: string
  /** Longest NDJSON / stdin line. @default 1048576 */
  maxLineBytes: number
  /** Largest HTTP body, after gunzip. @default 8388608 */
  maxBodyBytes: number
  /** Largest Forward frame (and decompressed chunk). @default 16777216 */
  maxFrameBytes: number
  /** Idle input connections are closed after this long. @default 300000 */
  idleTimeoutMs: number
  /** Concurrent connections per input. @default 256 */
  maxConnections: number
  /** Alerts queued per output while its peer is away; a full queue holds inputs back. @default 10000 */
  maxQueuedAlerts: number
  /** Alerts per output write / POST. @default 500 */
  maxBatchAlerts: number
  /** First retry delay of an output; doubles per failure. @default 200 */
  retryInitialMs: number
  /** Cap of the output retry delay. @default 10000 */
  retryMaxMs: number
  /** Resends of an alert by a Forward output (no ack in time, write error) before it is given up. @default 8 */
  forwardRetryLimit: number
  /** How long a Forward output waits for a frame's ack before it resends. @default 10000 */
  forwardAckTimeoutMs: number
  /** How often the detector clock advances without new lines. @default 1000 */
  tickIntervalMs: number
  /** On SIGTERM/SIGINT: time allowed to deliver pending alerts and acks. @default 10000 */
  shutdownTimeoutMs: number
  /** claimstorm's own log level (JSON lines on stderr). @default 'info' */
  logLevel: LogLevel
  /** OVN version of the gateways (`23.03.1`): sets the claim throttle regime. Unset = inferred. */
  ovnVersion?: string
  /** `none`, `500ms` or `2s`: the claim throttle regime, instead of `ovn-version`. */
  throttleRegime?: string
  /** Other detector options (`name=value`, names as in docs/signals.md). @default [] */
  detector: string[]
}

export const SERVE_OPTIONS: readonly OptionSpec[] = [
  { key: 'in', field: 'in', type: 'list', arg: '<url>', description: 'input endpoint, repeatable: forward://host:port, forward+tls://host:port?tls_cert=…&tls_key=…, tcp://host:port, unix:///path.sock, http://host:port/path, - (stdin)', default: [] },
  { key: 'out', field: 'out', type: 'list', arg: '<url>', description: 'alert output, repeatable: forward://host:port?tag=ovn.alert, tcp://host:port, unix:///path.sock, http://host:port/path, - (stdout NDJSON)', default: [] },
  { key: 'message-key', field: 'messageKey', type: 'string', arg: '<path>', description: 'dotted path of the log line in a record (default: log, then message, then MESSAGE)' },
  { key: 'node-key', field: 'nodeKey', type: 'string', arg: '<path>', description: 'dotted path of the node name in a record (default: kubernetes.host, then kubernetes.pod_node_name, then host/hostname)' },
  { key: 'metrics-listen', field: 'metricsListen', type: 'string', arg: '<host:port>', description: 'serve /healthz and /metrics (Prometheus) here, e.g. 127.0.0.1:9464 (default: off)' },
  { key: 'tag', field: 'tag', type: 'string', arg: '<tag>', description: 'Forward tag of the alerts for outputs without ?tag=', default: 'ovn.alert' },
  { key: 'shared-key', field: 'sharedKey', type: 'string', arg: '<key>', description: 'Forward shared_key for endpoints without ?shared_key= (prefer the config file: flags show in ps)' },
  { key: 'tls-cert', field: 'tlsCert', type: 'string', arg: '<file>', description: 'PEM certificate for forward+tls inputs without ?tls_cert=' },
  { key: 'tls-key', field: 'tlsKey', type: 'string', arg: '<file>', description: 'PEM private key for forward+tls inputs without ?tls_key=' },
  { key: 'tls-ca', field: 'tlsCa', type: 'string', arg: '<file>', description: 'PEM CA bundle that forward+tls outputs without ?tls_ca= trust' },
  { key: 'tls-client-ca', field: 'tlsClientCa', type: 'string', arg: '<file>', description: 'PEM CA bundle for forward+tls inputs without ?tls_ca=: client certificates required and verified' },
  { key: 'max-line-bytes', field: 'maxLineBytes', type: 'int', arg: '<bytes>', description: 'longest NDJSON/stdin line; a longer one closes that connection (stdin: skipped)', default: 1_048_576, min: 64 },
  { key: 'max-body-bytes', field: 'maxBodyBytes', type: 'int', arg: '<bytes>', description: 'largest HTTP request body after gunzip; larger → 413', default: 8_388_608, min: 64 },
  { key: 'max-frame-bytes', field: 'maxFrameBytes', type: 'int', arg: '<bytes>', description: 'largest Forward frame, and decompressed chunk; larger closes that connection', default: 16_777_216, min: 1024 },
  { key: 'idle-timeout-ms', field: 'idleTimeoutMs', type: 'int', arg: '<ms>', description: 'close input connections idle this long', default: 300_000, min: 1 },
  { key: 'max-connections', field: 'maxConnections', type: 'int', arg: '<n>', description: 'concurrent connections per input', default: 256, min: 1 },
  { key: 'max-queued-alerts', field: 'maxQueuedAlerts', type: 'int', arg: '<alerts>', description: 'alerts queued per output while its peer is away; when full, inputs are held back (TCP paused, HTTP 503, Forward ack delayed)', default: 10_000, min: 1 },
  { key: 'max-batch-alerts', field: 'maxBatchAlerts', type: 'int', arg: '<alerts>', description: 'alerts per output write or POST', default: 500, min: 1 },
  { key: 'retry-initial-ms', field: 'retryInitialMs', type: 'int', arg: '<ms>', description: 'first output retry delay (doubles per failure)', default: 200, min: 1 },
  { key: 'retry-max-ms', field: 'retryMaxMs', type: 'int', arg: '<ms>', description: 'output retry delay cap', default: 10_000, min: 1 },
  { key: 'forward-retry-limit', field: 'forwardRetryLimit', type: 'int', arg: '<n>', description: 'resends of an alert a Forward output attempts (its peer did not ack in time, or a write failed) before it gives the alert up and counts it as dropped', default: 8, min: 0 },
  { key: 'forward-ack-timeout-ms', field: 'forwardAckTimeoutMs', type: 'int', arg: '<ms>', description: 'how long a Forward output waits for the ack of a frame before it resends', default: 10_000, min: 1 },
  { key: 'tick-interval-ms', field: 'tickIntervalMs', type: 'int', arg: '<ms>', description: 'advance the detector clock this often so quiet storms resolve without new lines', default: 1000, min: 10 },
  { key: 'shutdown-timeout-ms', field: 'shutdownTimeoutMs', type: 'int', arg: '<ms>', description: 'on SIGTERM/SIGINT, time allowed to deliver pending alerts and acks', default: 10_000, min: 0 },
  { key: 'log-level', field: 'logLevel', type: 'level', arg: '<level>', description: 'own log level (JSON lines on stderr): debug, info, warn, error', default: 'info' },
  { key: 'ovn-version', field: 'ovnVersion', type: 'string', arg: '<version>', description: 'OVN version of the chassis (e.g. 23.03.1), sets the claim throttle regime (default: inferred)' },
  { key: 'throttle-regime', field: 'throttleRegime', type: 'string', arg: '<regime>', description: 'claim throttle regime instead of --ovn-version: none, 500ms, 2s' },
  { key: 'detector', field: 'detector', type: 'list', arg: '<name=value>', description: 'any other detector option, repeatable (see docs/signals.md), e.g. quietMs=60000', default: [] }
]

export const DEFAULT_SERVE_CONFIG: ServeConfig = Object.freeze({
  in: [],
  out: [],
  tag: 'ovn.alert',
  maxLineBytes: 1_048_576,
  maxBodyBytes: 8_388_608,
  maxFrameBytes: 16_777_216,
  idleTimeoutMs: 300_000,
  maxConnections: 256,
  maxQueuedAlerts: 10_000,
  maxBatchAlerts: 500,
  retryInitialMs: 200,
  retryMaxMs: 10_000,
  forwardRetryLimit: 8,
  forwardAckTimeoutMs: 10_000,
  tickIntervalMs: 1000,
  shutdownTimeoutMs: 10_000,
  logLevel: 'info',
  detector: []
}) as ServeConfig

const BY_KEY = new Map(SERVE_OPTIONS.map((o) => [o.key, o]))
const BY_FIELD = new Map(SERVE_OPTIONS.map((o) => [o.field as string, o]))

function coerce (spec: OptionSpec, value: unknown, where: string): number | string | string[] {
  const bad = (why: string): StormError => new StormError('E_CONFIG', `${where}: ${spec.key} ${why}`)
  switch (spec.type) {
    case 'int': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN
      if (!Number.isSafeInteger(n)) throw bad(`must be a whole number (${spec.arg.replace(/[<>]/g, '')}), got ${JSON.stringify(value)}`)
      if (spec.min !== undefined && n < spec.min) throw bad(`must be at least ${spec.min}`)
      return n
    }
    case 'string':
      if (typeof value !== 'string' && typeof value !== 'number') throw bad(`must be a string, got ${JSON.stringify(value)}`)
      if (String(value) === '') throw bad('must not be empty')
      return String(value)
    case 'level':
      if (!isLogLevel(value)) throw bad('must be one of debug, info, warn, error')
      return value
    case 'list': {
      const arr = Array.isArray(value) ? value : [value]
      return arr.map((v) => {
        if (typeof v !== 'string' && typeof v !== 'number') throw bad(`entries must be strings, got ${JSON.stringify(v)}`)
        return String(v)
      })
    }
  }
}

/** Reads a YAML (or JSON) serve config file; unknown keys are errors, so typos do not pass silently. */
export function loadConfigFile (path: string): Partial<ServeConfig> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new StormError('E_CONFIG', `cannot read config ${path}: ${(err as Error).message}`, { cause: err })
  }
  return parseConfigText(text, path)
}

export function parseConfigText (text: string, where = 'config'): Partial<ServeConfig> {
  let doc: unknown
  try {
    doc = parseYaml(text)
  } catch (err) {
    throw new StormError('E_CONFIG', `${where}: not valid YAML: ${(err as Error).message}`, { cause: err })
  }
  if (doc === null || doc === undefined) return {}
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new StormError('E_CONFIG', `${where}: expected a mapping of option: value`)
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (k === 'detector' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      // detector options as a nested mapping: `detector: { quietMs: 60000 }`
      out['detector'] = Object.entries(v as Record<string, unknown>).map(([dk, dv]) => `${dk}=${String(dv)}`)
      continue
    }
    const spec = BY_KEY.get(k) ?? BY_FIELD.get(k)
    if (spec === undefined) throw new StormError('E_CONFIG', `${where}: unknown option ${JSON.stringify(k)} (known: ${SERVE_OPTIONS.map((o) => o.key).join(', ')})`)
    if (v === null || v === undefined) continue
    out[spec.field] = coerce(spec, v, where)
  }
  return out as Partial<ServeConfig>
}

/** Flags as commander hands them over (camelCase of the flag names); unset flags are absent. */
export function configFromFlags (flags: Record<string, unknown>): Partial<ServeConfig> {
  const out: Record<string, unknown> = {}
  for (const spec of SERVE_OPTIONS) {
    const v = flags[spec.field]
    if (v === undefined) continue
    if (spec.type === 'list' && Array.isArray(v) && v.length === 0) continue
    out[spec.field] = coerce(spec, v, 'command line')
  }
  return out as Partial<ServeConfig>
}

/** Defaults < file < flags. */
export function mergeConfig (...layers: Array<Partial<ServeConfig>>): ServeConfig {
  const cfg: ServeConfig = { ...DEFAULT_SERVE_CONFIG, in: [], out: [], detector: [] }
  for (const layer of layers) Object.assign(cfg, layer)
  return cfg
}

/** `detector` entries (`name=value`) → an options object; numbers and booleans are typed. */
export function detectorOverrides (cfg: ServeConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const entry of cfg.detector) {
    const eq = entry.indexOf('=')
    if (eq <= 0) throw new StormError('E_CONFIG', `detector option ${JSON.stringify(entry)}: expected name=value`)
    const name = entry.slice(0, eq).trim()
    const raw = entry.slice(eq + 1).trim()
    out[name] = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw
  }
  if (cfg.ovnVersion !== undefined) out['ovnVersion'] = cfg.ovnVersion
  if (cfg.throttleRegime !== undefined) out['throttleRegime'] = cfg.throttleRegime
  return out
}
