// Peels what log shippers put around a vlog line (CRI, Docker json-file, syslog 3164/5424, journald,
// Fluent Bit and Vector records) and keeps what the wrapper knows in `Source`. An OVN line never
// names its own chassis, so the wrapper's node name is the only attribution a claim line gets.
//
//   text line ─detect─▶ layer (cri | syslog | json …) ─▶ inner text ─▶ … (≤ maxWrapperDepth) ─▶ Unwrapped
//   decoded record (msgpack / JSON object) ─────────────▶ message + metadata ─▶ inner text ─▶ …
//
// `source.wrapper` names the outermost wrapper; fields of outer layers override inner ones, which
// override the caller's defaults. A wrapper timestamp that is not a real date only leaves
// `wrapperTimeMs` out: the line inside is still read (its own vlog timestamp is what events use).
// Pure: no I/O, no clock. The year of an RFC 3164 timestamp comes from `referenceTimeMs`.
import { isUtf8 } from 'node:buffer'
import type { Envelope, Level, OvsEvent, ParseResult, Source, Unparsed, UnparsedCode, WrapperKind } from '../types.js'
import { DEFAULT_MAX_LINE_BYTES } from './read-lines.js'
import { createVlogParser, eventFromEnvelope, parseVlog } from './vlog.js'

/** A wrapper to force, `auto` to detect it per line, or `syslog` for any syslog / journald text form. */
export type WrapperOption = 'auto' | 'syslog' | WrapperKind

export const WRAPPER_OPTIONS: readonly WrapperOption[] = [
  'auto', 'bare', 'cri', 'docker', 'syslog', 'syslog-rfc3164', 'syslog-rfc5424', 'journald-short',
  'journald-json', 'fluent-bit', 'vector', 'json'
]

export function isWrapperOption (value: string): value is WrapperOption {
  return (WRAPPER_OPTIONS as readonly string[]).includes(value)
}

export interface UnwrapOptions {
  /**
   * Wrapper to expect. `auto` detects it on every line; a forced wrapper turns a line that does not
   * have it into an `Unparsed` `bad-wrapper`.
   * @default 'auto'
   */
  wrapper?: WrapperOption
  /**
   * Source fields the caller knows (e.g. `node` derived from a file path). Wrapper metadata overrides them.
   * @default {}
   */
  source?: Partial<Omit<Source, 'wrapper'>>
  /**
   * Dotted path of the message in a JSON / decoded record (`log`, `message`, `event.original`).
   * @default 'log', then 'message', then 'MESSAGE'
   */
  messageKey?: string
  /**
   * Dotted path of the node name in a JSON / decoded record.
   * @default 'kubernetes.host', then 'kubernetes.pod_node_name', then 'host' / 'hostname' / '_HOSTNAME'
   */
  nodeKey?: string
  /**
   * How many wrappers may nest (a Fluent Bit record around a CRI line is 2).
   * @default 3
   */
  maxWrapperDepth?: number
  /**
   * Epoch ms used only to pick the year of RFC 3164 timestamps (`Sep  5 16:38:54` has none): the latest
   * year that does not put the timestamp more than two days after it. Without it `wrapperTimeMs` is omitted
   * for those lines. RFC 3164 times are read as UTC.
   */
  referenceTimeMs?: number
  /**
   * Longest line parsed, in bytes; a longer one is an `Unparsed` `too-long`.
   * @default 1048576 (1 MiB)
   */
  maxLineBytes?: number
  /**
   * `Unparsed.text` is cut to this many bytes (UTF-8).
   * @default 512
   */
  maxUnparsedTextBytes?: number
}

/** What a wrapper that can split lines (CRI, Docker json-file) said, before its text was unwrapped further. */
export interface PartialFrame {
  text: string
  source: Source
  inner: WrapperKind
  /** More of this line follows in the next line of the same stream. */
  partial: boolean
}

/** The line inside the wrappers, with what they said about it. */
export interface UnwrappedText {
  kind: 'text'
  /** A vlog line, a syslog body (`ovs|00042|…`), a continuation line, or anything else found inside. */
  text: string
  source: Source
  /** CRI `P` or a Docker json-file entry without its final newline: the line continues in the next one of the same stream. */
  partial: boolean
  /** The innermost wrapper. After a syslog / journald header a body without `ovs|` is a continuation (§1.7). */
  inner: WrapperKind
  /** Set when a CRI / Docker layer was peeled: the stateful parser joins partial lines on it. */
  frame?: PartialFrame
}

/** RFC 5424 `--syslog-target` records carry the vlog fields in the syslog header. */
export interface UnwrappedEnvelope {
  kind: 'envelope'
  envelope: Envelope
  inner: 'syslog-rfc5424'
  frame?: PartialFrame
}

export interface UnwrappedFailure {
  kind: 'unparsed'
  unparsed: Unparsed
  frame?: PartialFrame
}

export type Unwrapped = UnwrappedText | UnwrappedEnvelope | UnwrappedFailure

export const DEFAULT_MAX_UNPARSED_TEXT_BYTES = 512
export const DEFAULT_MAX_WRAPPER_DEPTH = 3

// ---- small helpers ------------------------------------------------------------------------------

/** Cuts `text` to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function clipText (text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text
  let end = Math.min(text.length, maxBytes)
  let cut = text.slice(0, end)
  while (end > 0 && Buffer.byteLength(cut, 'utf8') > maxBytes) {
    end = Math.max(0, end - Math.max(1, Math.ceil((Buffer.byteLength(cut, 'utf8') - maxBytes) / 3)))
    cut = text.slice(0, end)
  }
  // never leave half a surrogate pair
  const last = cut.charCodeAt(cut.length - 1)
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1)
  return cut
}

export function makeUnparsed (code: UnparsedCode, text: string, source: Source, maxTextBytes: number, detail?: string, bytes?: number): Unparsed {
  const u: Unparsed = {
    kind: 'unparsed',
    code,
    text: clipText(text, maxTextBytes),
    bytes: bytes ?? Buffer.byteLength(text, 'utf8'),
    source
  }
  if (detail !== undefined) u.detail = detail
  return u
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function validDate (y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return false
  const dim = DAYS_IN_MONTH[mo - 1] ?? 31
  if (d > dim) return false
  if (mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return false
  return true
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})?$/

/** ISO 8601 / RFC 3339 (any number of fraction digits, `Z` or an offset; none = UTC) → epoch ms, or undefined when invalid. */
export function isoToMs (text: string): number | undefined {
  const m = ISO_RE.exec(text)
  if (m === null) return undefined
  const y = Number(m[1]); const mo = Number(m[2]); const d = Number(m[3])
  const h = Number(m[4]); const mi = Number(m[5]); const s = Number(m[6])
  if (!validDate(y, mo, d, h, mi, s)) return undefined
  const frac = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000)
  let ms = Date.UTC(y, mo - 1, d, h, mi, s, frac)
  const tz = m[8]
  if (tz !== undefined && tz !== 'Z') {
    const sign = tz.startsWith('-') ? -1 : 1
    const digits = tz.slice(1).replace(':', '')
    const offMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))
    if (offMin > 18 * 60) return undefined
    ms -= sign * offMin * 60_000
  }
  return ms
}

const MONTHS: Record<string, number> = { Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 }
const BSD_TIME_RE = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/

/** `Sep  5 16:38:54` → epoch ms (UTC) in the year picked from `referenceTimeMs`, or undefined. */
export function bsdTimeToMs (text: string, referenceTimeMs: number | undefined): number | undefined {
  if (referenceTimeMs === undefined) return undefined
  const m = BSD_TIME_RE.exec(text)
  if (m === null) return undefined
  const mo = MONTHS[m[1] ?? '']
  if (mo === undefined) return undefined
  const d = Number(m[2]); const h = Number(m[3]); const mi = Number(m[4]); const s = Number(m[5])
  const frac = m[6] === undefined ? 0 : Math.floor(Number(`0.${m[6]}`) * 1000)
  let y = new Date(referenceTimeMs).getUTCFullYear() + 1
  for (let tries = 0; tries < 8; tries++, y--) {
    if (!validDate(y, mo, d, h, mi, s)) continue // Feb 29 only exists in leap years
    const ms = Date.UTC(y, mo - 1, d, h, mi, s, frac)
    if (ms <= referenceTimeMs + 2 * 86_400_000) return ms
  }
  return undefined
}

type Fields = Partial<Omit<Source, 'wrapper'>>

function put<K extends keyof Fields> (f: Fields, key: K, value: Fields[K] | undefined): void {
  if (value !== undefined && value !== '') f[key] = value
}

interface Ctx {
  opts: UnwrapOptions
  maxText: number
  maxDepth: number
  /** Fields of the layers peeled so far, outermost first. */
  layers: Fields[]
  /** Outermost wrapper kind. */
  outer: WrapperKind | undefined
}

/** Defaults first, then inner layers, then outer layers: the outermost wrapper's metadata wins. */
function buildSource (ctx: Ctx, wrapper: WrapperKind): Source {
  const src: Source = { wrapper: ctx.outer ?? wrapper }
  if (ctx.opts.source !== undefined) Object.assign(src, ctx.opts.source)
  for (let i = ctx.layers.length - 1; i >= 0; i--) Object.assign(src, ctx.layers[i])
  src.wrapper = ctx.outer ?? wrapper
  return src
}

function fail (ctx: Ctx, wrapper: WrapperKind, code: UnparsedCode, text: string, detail: string, bytes?: number): UnwrappedFailure {
  return { kind: 'unparsed', unparsed: makeUnparsed(code, text, buildSource(ctx, wrapper), ctx.maxText, detail, bytes) }
}

function enter (ctx: Ctx, kind: WrapperKind, fields: Fields): void {
  ctx.layers.push(fields)
  if (ctx.outer === undefined) ctx.outer = kind
}

// ---- text wrappers ------------------------------------------------------------------------------

const CRI_RE = /^(\d{4}-\d{2}-\d{2}T\S+) (stdout|stderr) ([PF])(?::\S*)?(?: ([\s\S]*))?$/
// host must not end with ':' so `prog: word: rest` is not read as host `prog:`.
const ISO_SYSLOG_RE = /^(?:<(\d{1,3})>)?(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?) (?:([^\s[\]]*[^\s[\]:]) )?([^\s[\]:]+)(?:\[(\d+)\])?: ?([\s\S]*)$/
const BSD_SYSLOG_RE = /^(?:<(\d{1,3})>)?([A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}(?:\.\d+)?) (?:([^\s[\]]*[^\s[\]:]) )?([^\s[\]:]+)(?:\[(\d+)\])?: ?([\s\S]*)$/
const RFC5424_RE = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) /
const MODULE_RE = /^[A-Za-z_][A-Za-z0-9_]*$/
const BOM = '\uFEFF'

type TextForm = 'cri' | 'syslog-rfc3164' | 'syslog-rfc5424' | 'json' | 'bare'

function detectText (line: string): TextForm {
  const c = line.charCodeAt(0)
  if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
    if (/^\{\s*"/.test(line) || (c === 0x5b && /\]\s*$/.test(line))) return 'json'
    return 'bare'
  }
  if (c === 0x3c /* < */) return RFC5424_RE.test(line) ? 'syslog-rfc5424' : 'syslog-rfc3164'
  if (c >= 0x30 && c <= 0x39) {
    // the common case, a bare vlog line: `2024-…Z|00042|…`
    const sp = line.indexOf(' ')
    const bar = line.indexOf('|')
    if (bar !== -1 && (sp === -1 || bar < sp)) return 'bare'
    if (CRI_RE.test(line)) return 'cri'
    if (ISO_SYSLOG_RE.test(line)) return 'syslog-rfc3164'
    return 'bare'
  }
  if (c >= 0x41 && c <= 0x5a && BSD_SYSLOG_RE.test(line)) return 'syslog-rfc3164'
  return 'bare'
}

const JSON_WRAPPERS: ReadonlySet<WrapperOption> = new Set(['docker', 'fluent-bit', 'vector', 'journald-json', 'json'])

function unwrapTextAt (line: string, ctx: Ctx, forced: WrapperOption, depth: number): Unwrapped {
  if (depth >= ctx.maxDepth || forced === 'bare') return bare(line, ctx)
  if (forced === 'auto') {
    const form = detectText(line)
    switch (form) {
      case 'bare': return bare(line, ctx)
      case 'cri': return unwrapCri(line, ctx, depth)
      case 'json': return unwrapJsonText(line, ctx, 'auto', depth)
      case 'syslog-rfc5424': return unwrapRfc5424(line, ctx, depth)
      case 'syslog-rfc3164': return unwrapBsdSyslog(line, ctx, 'syslog-rfc3164', depth, true)
    }
  }
  if (forced === 'cri') return unwrapCri(line, ctx, depth)
  if (JSON_WRAPPERS.has(forced)) return unwrapJsonText(line, ctx, forced, depth)
  if (forced === 'syslog-rfc5424') return unwrapRfc5424(line, ctx, depth)
  if (forced === 'syslog') {
    return RFC5424_RE.test(line) ? unwrapRfc5424(line, ctx, depth) : unwrapBsdSyslog(line, ctx, 'syslog-rfc3164', depth, false)
  }
  return unwrapBsdSyslog(line, ctx, forced === 'journald-short' ? 'journald-short' : 'syslog-rfc3164', depth, false)
}

function bare (line: string, ctx: Ctx): UnwrappedText {
  const text = line.charCodeAt(0) === 0xfeff ? line.slice(1) : line
  return { kind: 'text', text, source: buildSource(ctx, 'bare'), partial: false, inner: 'bare' }
}

/** Inner text of a layer: one more round of detection, unless the layer said it is the last. */
function inner (text: string, ctx: Ctx, depth: number, innerKind: WrapperKind, partial: boolean): Unwrapped {
  if (partial) {
    // a fragment cannot be unwrapped further before it is joined
    const source = buildSource(ctx, innerKind)
    return { kind: 'text', text, source, partial: true, inner: innerKind, frame: { text, source, inner: innerKind, partial: true } }
  }
  const frame: PartialFrame | undefined = innerKind === 'cri' || innerKind === 'docker'
    ? { text, source: buildSource(ctx, innerKind), inner: innerKind, partial: false }
    : undefined
  const u = unwrapTextAt(text, ctx, 'auto', depth + 1)
  if (u.kind === 'text' && u.inner === 'bare') u.inner = innerKind
  if (frame !== undefined && u.frame === undefined) u.frame = frame
  return u
}

function unwrapCri (line: string, ctx: Ctx, depth: number): Unwrapped {
  const m = CRI_RE.exec(line)
  if (m === null) return fail(ctx, 'cri', 'bad-wrapper', line, 'not a CRI log line (`<RFC3339Nano> <stdout|stderr> <P|F> <text>`)')
  const time = m[1] ?? ''
  const f: Fields = {}
  put(f, 'stream', m[2])
  put(f, 'wrapperTime', time)
  put(f, 'wrapperTimeMs', isoToMs(time))
  enter(ctx, 'cri', f)
  return inner(m[4] ?? '', ctx, depth, 'cri', m[3] === 'P')
}

function unwrapBsdSyslog (line: string, ctx: Ctx, kind: 'syslog-rfc3164' | 'journald-short', depth: number, auto: boolean): Unwrapped {
  const iso = ISO_SYSLOG_RE.exec(line)
  const m = iso ?? BSD_SYSLOG_RE.exec(line)
  if (m === null) {
    if (auto) return bare(line, ctx)
    return fail(ctx, kind, 'bad-wrapper', line, 'no syslog header (`<time> <host> <program>[<pid>]: `)')
  }
  if (m[1] !== undefined && Number(m[1]) > 191) return fail(ctx, kind, 'bad-wrapper', line, `syslog PRI <${m[1]}> out of range`)
  const time = m[2] ?? ''
  const f: Fields = {}
  put(f, 'node', m[3])
  put(f, 'program', m[4])
  put(f, 'pid', m[5] === undefined ? undefined : Number(m[5]))
  put(f, 'wrapperTime', time)
  put(f, 'wrapperTimeMs', iso !== null ? isoToMs(time) : bsdTimeToMs(time, ctx.opts.referenceTimeMs))
  enter(ctx, kind, f)
  return inner(m[6] ?? '', ctx, depth, kind, false)
}

/** OVS maps EMER→LOG_ALERT, ERR→LOG_ERR, WARN→LOG_WARNING, INFO→LOG_NOTICE, DBG→LOG_DEBUG; the others are folded in. */
const SEVERITY_LEVEL: readonly Level[] = ['EMER', 'EMER', 'ERR', 'ERR', 'WARN', 'INFO', 'INFO', 'DBG']

/** Skips RFC 5424 STRUCTURED-DATA (`-` or `[id k="v\]…"]…`); returns the index after it, or -1. */
function skipStructuredData (s: string, i: number): number {
  if (s[i] === '-') return i + 1
  if (s[i] !== '[') return -1
  while (s[i] === '[') {
    i++
    let quoted = false
    for (;;) {
      if (i >= s.length) return -1
      const ch = s[i]
      if (quoted) {
        if (ch === '\\') i++
        else if (ch === '"') quoted = false
      } else if (ch === '"') quoted = true
      else if (ch === ']') break
      i++
    }
    i++
  }
  return i
}

function unwrapRfc5424 (line: string, ctx: Ctx, depth: number): Unwrapped {
  const m = RFC5424_RE.exec(line)
  if (m === null) return fail(ctx, 'syslog-rfc5424', 'bad-wrapper', line, 'not an RFC 5424 record (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`)')
  const pri = Number(m[1])
  if (pri > 191) return fail(ctx, 'syslog-rfc5424', 'bad-wrapper', line, `syslog PRI <${pri}> out of range`)
  const nil = (v: string | undefined): string | undefined => (v === '-' ? undefined : v)
  const time = nil(m[2])
  const procid = nil(m[5])
  const msgid = nil(m[6])
  const f: Fields = {}
  put(f, 'node', nil(m[3]))
  put(f, 'program', nil(m[4]))
  put(f, 'pid', procid !== undefined && /^\d+$/.test(procid) ? Number(procid) : undefined)
  put(f, 'wrapperTime', time)
  const timeMs = time === undefined ? undefined : isoToMs(time)
  put(f, 'wrapperTimeMs', timeMs)
  enter(ctx, 'syslog-rfc5424', f)
  const sdEnd = skipStructuredData(line, m[0].length)
  if (sdEnd === -1) return fail(ctx, 'syslog-rfc5424', 'bad-wrapper', line, 'malformed RFC 5424 STRUCTURED-DATA')
  let msg = line.slice(line[sdEnd] === ' ' ? sdEnd + 1 : sdEnd)
  if (msg.startsWith(BOM)) msg = msg.slice(1)
  // a relayed syslog(3) record keeps its `ovs|` body; OVS's own --syslog-target puts the vlog fields in the header
  if (msgid === undefined || !MODULE_RE.test(msgid) || msg.startsWith('ovs|')) {
    return inner(msg, ctx, depth, 'syslog-rfc5424', false)
  }
  const source = buildSource(ctx, 'syslog-rfc5424')
  if (time !== undefined && timeMs === undefined) {
    return { kind: 'unparsed', unparsed: makeUnparsed('bad-timestamp', line, source, ctx.maxText, `RFC 5424 timestamp "${clipText(time, 64)}" is not a valid date`) }
  }
  const envelope: Envelope = {
    time: time ?? null,
    timeMs: timeMs ?? null,
    seq: null,
    module: msgid,
    level: SEVERITY_LEVEL[pri % 8] ?? 'INFO',
    message: msg,
    source
  }
  return { kind: 'envelope', envelope, inner: 'syslog-rfc5424' }
}

function unwrapJsonText (line: string, ctx: Ctx, forced: WrapperOption, depth: number): Unwrapped {
  const kind: WrapperKind = forced === 'auto' || forced === 'syslog' ? 'json' : forced
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch (err) {
    // `{"…` promised JSON; a line that merely starts with `[` is just not a vlog line
    if (forced === 'auto' && line.charCodeAt(0) === 0x5b) return bare(line, ctx)
    return fail(ctx, kind, 'bad-wrapper', line, `invalid JSON: ${err instanceof Error ? err.message : String(err)}`)
  }
  return unwrapValue(value, ctx, forced, depth, true, line)
}

// ---- records (JSON lines, msgpack / JSON objects from the network) -----------------------------

type Obj = Record<string, unknown>

function isObj (v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)
}

// paths come from options and defaults, so a few dozen at most: split each once
const PATH_PARTS = new Map<string, readonly string[]>()
const MAX_PATH_PARTS_CACHED = 256

function pathParts (path: string): readonly string[] {
  let parts = PATH_PARTS.get(path)
  if (parts === undefined) {
    parts = path.split('.')
    if (PATH_PARTS.size < MAX_PATH_PARTS_CACHED) PATH_PARTS.set(path, parts)
  }
  return parts
}

/** Exact key first (`kubernetes.host` flattened by a shipper), then the nested path. */
function getPath (obj: Obj, path: string): unknown {
  if (Object.hasOwn(obj, path)) return obj[path]
  if (!path.includes('.')) return undefined
  let cur: unknown = obj
  for (const part of pathParts(path)) {
    if (!isObj(cur) || !Object.hasOwn(cur, part)) return undefined
    cur = cur[part]
  }
  return cur
}

function str (v: unknown): string | undefined {
  if (typeof v === 'string') return v
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8')
  return undefined
}

function num (v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (typeof v === 'string' && /^\d{1,15}$/.test(v)) return Number(v)
  return undefined
}

function recordKind (obj: Obj): WrapperKind {
  if (Object.hasOwn(obj, 'MESSAGE') && (Object.hasOwn(obj, '__REALTIME_TIMESTAMP') || Object.hasOwn(obj, '_HOSTNAME') ||
    Object.hasOwn(obj, 'SYSLOG_IDENTIFIER') || Object.hasOwn(obj, '__CURSOR') || Object.hasOwn(obj, '_PID'))) return 'journald-json'
  const k8s = isObj(obj['kubernetes'])
  if (Object.hasOwn(obj, 'log')) {
    if (!k8s && typeof obj['stream'] === 'string' && typeof obj['time'] === 'string') return 'docker'
    return 'fluent-bit'
  }
  if (Object.hasOwn(obj, 'message') && (k8s || Object.hasOwn(obj, 'source_type'))) return 'vector'
  return 'json'
}

const DEFAULT_MESSAGE_KEYS: Readonly<Record<WrapperKind, readonly string[]>> = {
  bare: [], cri: [], 'syslog-rfc3164': [], 'syslog-rfc5424': [], 'journald-short': [],
  docker: ['log'],
  'fluent-bit': ['log', 'message'],
  vector: ['message', 'log'],
  'journald-json': ['MESSAGE'],
  json: ['log', 'message', 'MESSAGE']
}
const DEFAULT_NODE_KEYS = ['kubernetes.host', 'kubernetes.pod_node_name', 'host', 'hostname', '_HOSTNAME', 'host.name', 'host.hostname']

/** Time as a shipper wrote it: an RFC 3339 string, or epoch seconds / ms / µs as a number. */
function timeFields (f: Fields, v: unknown): void {
  if (typeof v === 'string' && v !== '') {
    f.wrapperTime = v
    put(f, 'wrapperTimeMs', isoToMs(v))
  } else if (typeof v === 'number' && Number.isFinite(v) && v > 0) {
    f.wrapperTime = String(v)
    // seconds until 2286, then ms, then µs
    f.wrapperTimeMs = Math.floor(v < 1e10 ? v * 1000 : v < 1e13 ? v : v / 1000)
  }
}

function recordFields (obj: Obj, kind: WrapperKind, opts: UnwrapOptions): Fields {
  const f: Fields = {}
  const k8s = isObj(obj['kubernetes']) ? obj['kubernetes'] : {}
  switch (kind) {
    case 'journald-json': {
      put(f, 'program', str(obj['SYSLOG_IDENTIFIER']) ?? str(obj['_COMM']))
      put(f, 'pid', num(obj['_PID']) ?? num(obj['SYSLOG_PID']))
      const us = str(obj['__REALTIME_TIMESTAMP']) ?? (typeof obj['__REALTIME_TIMESTAMP'] === 'number' ? String(obj['__REALTIME_TIMESTAMP']) : undefined)
      if (us !== undefined && /^\d{1,19}$/.test(us)) {
        f.wrapperTime = us
        f.wrapperTimeMs = Math.floor(Number(us) / 1000)
      }
      break
    }
    case 'vector':
      put(f, 'pod', str(k8s['pod_name']))
      put(f, 'namespace', str(k8s['pod_namespace']))
      put(f, 'container', str(k8s['container_name']))
      timeFields(f, obj['timestamp'])
      break
    default:
      put(f, 'pod', str(k8s['pod_name']))
      put(f, 'namespace', str(k8s['namespace_name']) ?? str(k8s['pod_namespace']))
      put(f, 'container', str(k8s['container_name']))
      timeFields(f, obj['time'] ?? obj['timestamp'] ?? obj['@timestamp'])
  }
  put(f, 'stream', str(obj['stream']))
  put(f, 'file', str(obj['file']) ?? str(obj['file_path']) ?? str(obj['filename']))
  const nodeKeys = opts.nodeKey === undefined ? DEFAULT_NODE_KEYS : [opts.nodeKey]
  for (const key of nodeKeys) {
    const node = str(getPath(obj, key))
    if (node !== undefined && node !== '') { f.node = node; break }
  }
  return f
}

/** A message as a record holds it: a string, msgpack bin (Uint8Array), or journald's array of byte values. */
function messageText (v: unknown): { text: string } | { error: UnparsedCode; detail: string } | undefined {
  if (typeof v === 'string') return { text: v }
  let bytes: Buffer | undefined
  if (v instanceof Uint8Array) bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength)
  else if (Array.isArray(v) && v.every((b) => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b <= 255)) bytes = Buffer.from(v as number[])
  if (bytes === undefined) return v === undefined || v === null ? undefined : { error: 'no-message', detail: `message is a ${Array.isArray(v) ? 'array' : typeof v}, not text` }
  if (!isUtf8(bytes)) return { error: 'invalid-utf8', detail: 'message bytes are not valid UTF-8' }
  return { text: bytes.toString('utf8') }
}

function unwrapValue (value: unknown, ctx: Ctx, forced: WrapperOption, depth: number, fromText: boolean, raw?: string): Unwrapped {
  const forcedKind: WrapperKind | undefined = forced === 'auto' || forced === 'syslog' ? undefined : forced
  if (typeof value === 'string' || value instanceof Uint8Array) {
    // a bare string record is a line; a forced JSON wrapper cannot apply to it
    const t = messageText(value)
    if (t === undefined || 'error' in t) return fail(ctx, forcedKind ?? 'json', t?.error ?? 'no-message', '', t?.detail ?? 'empty record')
    return unwrapTextAt(t.text, ctx, JSON_WRAPPERS.has(forced) ? 'auto' : forced, depth)
  }
  if (!isObj(value)) {
    return fail(ctx, forcedKind ?? 'json', 'bad-wrapper', raw ?? safeJson(value), `JSON value is ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}, not an object`)
  }
  const kind = forcedKind !== undefined && JSON_WRAPPERS.has(forcedKind) ? forcedKind : recordKind(value)
  const f = recordFields(value, kind, ctx.opts)
  enter(ctx, kind, f)
  const keys = ctx.opts.messageKey === undefined ? DEFAULT_MESSAGE_KEYS[kind] : [ctx.opts.messageKey]
  let found: unknown
  for (const key of keys) {
    found = getPath(value, key)
    if (found !== undefined) break
  }
  const t = messageText(found)
  // the record's text is only built for a failure: stringifying every good record cost more than parsing it
  if (t === undefined) return fail(ctx, kind, 'no-message', raw ?? safeJson(value), `no message at ${keys.map((k) => `"${k}"`).join(' / ')}`)
  if ('error' in t) return fail(ctx, kind, t.error, raw ?? safeJson(value), t.detail)
  let msg = t.text
  let partial = false
  if (kind === 'docker' && fromText) {
    // json-file splits lines over 16 KiB into entries without the final newline
    if (msg.endsWith('\n')) msg = msg.slice(0, -1)
    else partial = true
  }
  if (msg.endsWith('\n')) msg = msg.slice(0, -1)
  if (msg.endsWith('\r')) msg = msg.slice(0, -1)
  return inner(msg, ctx, depth, kind, partial)
}

function safeJson (value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

function newCtx (opts: UnwrapOptions): Ctx {
  return {
    opts,
    maxText: opts.maxUnparsedTextBytes ?? DEFAULT_MAX_UNPARSED_TEXT_BYTES,
    maxDepth: opts.maxWrapperDepth ?? DEFAULT_MAX_WRAPPER_DEPTH,
    layers: [],
    outer: undefined
  }
}

/** Unwraps one physical line (no line terminator). Never throws. */
export function unwrapLine (line: string, options: UnwrapOptions = {}): Unwrapped {
  return unwrapTextAt(line, newCtx(options), options.wrapper ?? 'auto', 0)
}

/**
 * Unwraps the text of joined partial lines (CRI `P` … `F`) as the inside of the wrapper they came in:
 * that wrapper's `source` stays the outer layer. Never throws.
 */
export function unwrapJoined (text: string, outer: Source, innerKind: WrapperKind, options: UnwrapOptions = {}): Unwrapped {
  const ctx = newCtx(options)
  const { wrapper, ...fields } = outer
  ctx.layers.push(fields)
  ctx.outer = wrapper
  return inner(text, ctx, 0, innerKind, false)
}

/**
 * Unwraps an already-decoded record (a msgpack / JSON object from the network, or a bare string).
 * Never throws.
 */
export function unwrapRecord (record: unknown, options: UnwrapOptions = {}): Unwrapped {
  const ctx = newCtx(options)
  try {
    return unwrapValue(record, ctx, options.wrapper ?? 'auto', 0, false)
  } catch (err) {
    // getters / proxies in a caller's object: still data, not an exception
    return fail(ctx, 'json', 'bad-wrapper', '', `unreadable record: ${err instanceof Error ? err.message : String(err)}`)
  }
}

// ---- from unwrapped text to an event ------------------------------------------------------------

/** True for a line that continues the previous record (§1.7): empty, or starting with a blank. */
export function isContinuationText (text: string): boolean {
  if (text.length === 0) return true
  const c = text.charCodeAt(0)
  return c === 0x20 || c === 0x09
}

const SYSLOG_INNER: ReadonlySet<WrapperKind> = new Set(['syslog-rfc3164', 'syslog-rfc5424', 'journald-short', 'journald-json'])

/** After a syslog / journald header, §1.7 continuations lose their indent in some relays: a body without `ovs|` continues. */
export function isSyslogContinuation (u: UnwrappedText): boolean {
  return SYSLOG_INNER.has(u.inner) && !u.text.startsWith('ovs|')
}

// ---- from unwrapped text to an event ------------------------------------------------------------

/** Parses one unwrapped vlog line (`parseVlog`, or a `createVlogParser` instance). */
export type VlogFn = (text: string, source: Source) => OvsEvent | Unparsed

/** Most lines a multi-line message (embedded newlines) contributes as `continuation`; the rest are dropped. */
export const MAX_EMBEDDED_CONTINUATION_LINES = 256

/**
 * Parses an unwrapped text as one record: the first line is the vlog record, further embedded lines
 * (a shipper's multi-line message) become its `continuation`. Never throws.
 */
export function resultFromUnwrapped (u: Unwrapped, vlog: VlogFn): ParseResult {
  if (u.kind === 'unparsed') return u.unparsed
  if (u.kind === 'envelope') {
    const env = u.envelope
    return withContinuation(env.message, (first) => eventFromEnvelope(first === env.message ? env : { ...env, message: first }))
  }
  // one line, the common case: no closure
  if (!u.text.includes('\n')) return vlog(u.text, u.source)
  return withContinuation(u.text, (first) => vlog(first, u.source))
}

function withContinuation (text: string, parse: (first: string) => ParseResult): ParseResult {
  if (!text.includes('\n')) return parse(text)
  const lines = text.split('\n', MAX_EMBEDDED_CONTINUATION_LINES + 1).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop()
  const result = parse(lines[0] ?? '')
  if (result.kind !== 'unparsed' && lines.length > 1) {
    result.continuation = [...(result.continuation ?? []), ...lines.slice(1)]
  }
  return result
}

/** A `parseVlog` bound to the line limits in `options`. */
export function vlogFor (options: UnwrapOptions): VlogFn {
  const opts = {
    maxUnparsedTextBytes: options.maxUnparsedTextBytes ?? DEFAULT_MAX_UNPARSED_TEXT_BYTES,
    maxLineChars: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
  }
  return (text, source) => parseVlog(text, source, opts)
}

// ---- the common record on a shortcut -----------------------------------------------------------

/** The message text of the record `shortcutSource` last accepted (a variable, not a result object per record). */
let shortcutText = ''

/**
 * The `source` of what `unwrapRecord` returns for the record Fluent Bit sends for a container log — a `log`
 * string holding a bare vlog line (or a continuation line) beside a `kubernetes` map — built without the layer
 * machinery (context, layer list, one Fields object per layer, a second detection round); its text is left in
 * `shortcutText`. null for every other record, which then takes the general path. Only called when `wrapper`
 * is auto and `messageKey` is unset or `log`.
 */
function shortcutSource (record: unknown, opts: UnwrapOptions, maxDepth: number): Source | null {
  // (an array or a Uint8Array has no string `log`)
  if (typeof record !== 'object' || record === null) return null
  const obj = record as Obj
  const log = obj['log']
  // what recordKind calls 'fluent-bit'; journald's MESSAGE (even inherited: `in` is cheaper than hasOwn) and every other shape go the long way
  if (typeof log !== 'string' || 'MESSAGE' in obj || !isObj(obj['kubernetes']) || !Object.hasOwn(obj, 'log')) return null
  let msg = log
  // endsWith, as unwrapValue does, but a code unit test is cheaper than the builtin's call
  if (msg.charCodeAt(msg.length - 1) === 0x0a) msg = msg.slice(0, -1)
  if (msg.charCodeAt(msg.length - 1) === 0x0d) msg = msg.slice(0, -1)
  // the inner text is read at depth 1: bare when detection says so, or when no deeper layer is allowed
  if (maxDepth > 1 && detectText(msg) !== 'bare') return null
  if (msg.charCodeAt(0) === 0xfeff) msg = msg.slice(1)
  const source = fluentBitSource(obj, obj['kubernetes'] as Obj, opts)
  shortcutText = msg
  return source
}

/** `buildSource` over `recordFields(obj, 'fluent-bit')`, same keys in the same order, with named stores. */
function fluentBitSource (obj: Obj, k8s: Obj, opts: UnwrapOptions): Source {
  const pod = str(k8s['pod_name'])
  const namespace = str(k8s['namespace_name']) ?? str(k8s['pod_namespace'])
  const container = str(k8s['container_name'])
  const time = obj['time'] ?? obj['timestamp'] ?? obj['@timestamp']
  const stream = str(obj['stream'])
  const file = str(obj['file']) ?? str(obj['file_path']) ?? str(obj['filename'])
  // the first default node key, `kubernetes.host`, without the path walk (a flattened key still wins)
  let node = opts.nodeKey === undefined && !('kubernetes.host' in obj) && Object.hasOwn(obj, 'kubernetes') && Object.hasOwn(k8s, 'host')
    ? str(k8s['host'])
    : undefined
  if (node === undefined || node === '') {
    for (const key of opts.nodeKey === undefined ? DEFAULT_NODE_KEYS : [opts.nodeKey]) {
      node = str(getPath(obj, key))
      if (node !== undefined && node !== '') break
    }
  }
  // the common record in one literal, the keys in the order the stores below give them: one compact object
  // instead of a one-key literal grown five times (about 140 bytes a record less to allocate)
  if (opts.source === undefined && time === undefined && (file === undefined || file === '') && pod !== undefined && pod !== '' &&
    namespace !== undefined && namespace !== '' && container !== undefined && container !== '' && stream !== undefined && stream !== '' &&
    node !== undefined && node !== '') {
    return { wrapper: 'fluent-bit', pod, namespace, container, stream, node }
  }
  const source: Source = { wrapper: 'fluent-bit' }
  if (opts.source !== undefined) {
    Object.assign(source, opts.source)
    source.wrapper = 'fluent-bit'
  }
  if (pod !== undefined && pod !== '') source.pod = pod
  if (namespace !== undefined && namespace !== '') source.namespace = namespace
  if (container !== undefined && container !== '') source.container = container
  if (time !== undefined) timeFields(source, time)
  if (stream !== undefined && stream !== '') source.stream = stream
  if (file !== undefined && file !== '') source.file = file
  if (node !== undefined && node !== '') source.node = node
  return source
}

/** True when the options allow the Fluent Bit record shortcut. */
function shortcutAllowed (options: UnwrapOptions): boolean {
  return (options.wrapper === undefined || options.wrapper === 'auto') && (options.messageKey === undefined || options.messageKey === 'log')
}

/**
 * `parseRecord` with its options read once and a vlog body cache of its own: the per-record path of a
 * server, which parses millions of records with the same options. The common Fluent Bit record takes a
 * shortcut (same result, see `createReferenceRecordParser`). Throws `StormError` `E_CONFIG` here for
 * invalid limits; the returned function never throws.
 */
export function createRecordParser (options: UnwrapOptions = {}): (record: unknown) => ParseResult {
  return recordParser(options, true)
}

/** `createRecordParser` without the shortcut: the reference the shortcut is tested against. */
export function createReferenceRecordParser (options: UnwrapOptions = {}): (record: unknown) => ParseResult {
  return recordParser(options, false)
}

function recordParser (options: UnwrapOptions, shortcut: boolean): (record: unknown) => ParseResult {
  const vlog = createVlogParser({
    maxUnparsedTextBytes: options.maxUnparsedTextBytes ?? DEFAULT_MAX_UNPARSED_TEXT_BYTES,
    maxLineChars: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
  })
  const failed = (err: unknown): ParseResult => makeUnparsed('not-vlog', '', { ...options.source, wrapper: 'json' }, options.maxUnparsedTextBytes ?? DEFAULT_MAX_UNPARSED_TEXT_BYTES,
    `internal error: ${err instanceof Error ? err.message : String(err)}`, 0)
  if (!shortcut || !shortcutAllowed(options)) {
    return (record) => {
      try {
        return resultFromUnwrapped(unwrapRecord(record, options), vlog)
      } catch (err) {
        return failed(err)
      }
    }
  }
  const maxDepth = options.maxWrapperDepth ?? DEFAULT_MAX_WRAPPER_DEPTH
  return (record) => {
    try {
      let source: Source | null = null
      try {
        source = shortcutSource(record, options, maxDepth)
      } catch {
        // getters / proxies: the general path reports them
      }
      if (source === null) return resultFromUnwrapped(unwrapRecord(record, options), vlog)
      // resultFromUnwrapped's text case: one line straight to the vlog parser
      const text = shortcutText
      return text.includes('\n') ? resultFromUnwrapped({ kind: 'text', text, source, partial: false, inner: 'fluent-bit' }, vlog) : vlog(text, source)
    } catch (err) {
      return failed(err)
    }
  }
}

/**
 * Parses an already-decoded record (what the Forward / HTTP server receives): message at `messageKey`,
 * node at `nodeKey`; a bare string is a line. Non-object JSON values are `Unparsed` `bad-wrapper`. Never throws.
 */
export function parseRecord (record: unknown, options: UnwrapOptions = {}): ParseResult {
  try {
    return resultFromUnwrapped(unwrapRecord(record, options), vlogFor(options))
  } catch (err) {
    // a bug must not stop a stream: the record becomes data, with the error in `detail`
    return makeUnparsed('not-vlog', '', { ...options.source, wrapper: 'json' }, options.maxUnparsedTextBytes ?? DEFAULT_MAX_UNPARSED_TEXT_BYTES,
      `internal error: ${err instanceof Error ? err.message : String(err)}`, 0)
  }
}
