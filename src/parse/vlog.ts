// One unwrapped vlog line → OvsEvent | Unparsed. The nearley grammar (grammar/*.ne) is the only
// definition of what a line means; this file runs it and keeps it off the hot path:
//
//   line ──envelope regex (built from the grammar's token patterns)──▶ module, message
//        │ no match: run the `line` grammar, which says why (code)
//        ▼
//   prefilter(module, message) ── no template can match ──▶ kind `vlog`
//        ▼
//   bounded cache[module|message] ── miss: fixed-shape templates by regex (iface added/deleted,
//        │                                  `Dropped N log messages`), else the `body` grammar
//        ▼
//   typed event
//
// `{ fastPath: false }` runs both grammars on every line; test/vlog-differential.test.ts checks
// that both ways give the same results.
import nearley from 'nearley'
import grammar, {
  addresses, BODY_LEXER_STATE, materialize, LEVEL_PATTERN, MODULE_PATTERN, SERIAL_PATTERN, SYSLOG_TAG, THREAD_PATTERN, TIMESTAMP_PATTERN
} from './grammar.generated.js'
import { StormError } from '../errors.js'
import type { AddressToken, Envelope, Level, OvsEvent, Source, Unparsed, UnparsedCode } from '../types.js'

export interface VlogOptions {
  /**
   * Longest `text` kept in an `Unparsed`, in UTF-8 bytes (cut on a character boundary).
   * @default 512
   */
  maxUnparsedTextBytes?: number
  /**
   * Longest line parsed, in UTF-16 code units; a longer one is an `Unparsed` `too-long`.
   * @default 65536
   */
  maxLineChars?: number
  /**
   * Longest message matched against the templates, in UTF-16 code units; a longer one is kept as
   * a plain `vlog` event. Template lines are a few hundred characters; this bounds the grammar's
   * work on hostile lines.
   * @default 4096
   */
  maxBodyChars?: number
  /**
   * Split the envelope with a regex, skip the grammar for messages no template can match and
   * cache bodies. `false` runs the nearley grammar on every line (same results, 10–30× slower).
   * @default true
   */
  fastPath?: boolean
}

export interface VlogParserOptions extends VlogOptions {
  /**
   * Message bodies whose classification is remembered (a claim storm repeats the same few
   * bodies thousands of times). 0 disables the cache.
   * @default 4096
   */
  cacheEntries?: number
}

type EnvelopeKey = keyof Envelope
type BodyOf<E> = E extends OvsEvent ? Omit<E, EnvelopeKey> : never
/** The kind-specific part of an event: what the `body` grammar returns. */
export type EventBody = Exclude<BodyOf<OvsEvent>, { kind: 'vlog' }>

export const DEFAULT_MAX_UNPARSED_TEXT_BYTES = 512
export const DEFAULT_MAX_LINE_CHARS = 65536
export const DEFAULT_CACHE_ENTRIES = 4096
export const DEFAULT_MAX_BODY_CHARS = 4096
/** Bodies longer than this are classified but not cached, so the cache stays small. */
const MAX_CACHED_BODY_CHARS = 512

interface Resolved {
  maxUnparsedTextBytes: number
  maxLineChars: number
  maxBodyChars: number
  fastPath: boolean
}

const DEFAULTS: Resolved = {
  maxUnparsedTextBytes: DEFAULT_MAX_UNPARSED_TEXT_BYTES,
  maxLineChars: DEFAULT_MAX_LINE_CHARS,
  maxBodyChars: DEFAULT_MAX_BODY_CHARS,
  fastPath: true
}

function positiveInt (name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new StormError('E_CONFIG', `${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${String(value)}`)
  }
  return value
}

function resolve (options: VlogOptions | undefined): Resolved {
  if (options === undefined) return DEFAULTS
  return {
    maxUnparsedTextBytes: positiveInt('maxUnparsedTextBytes', options.maxUnparsedTextBytes, DEFAULT_MAX_UNPARSED_TEXT_BYTES),
    maxLineChars: positiveInt('maxLineChars', options.maxLineChars, DEFAULT_MAX_LINE_CHARS),
    maxBodyChars: positiveInt('maxBodyChars', options.maxBodyChars, DEFAULT_MAX_BODY_CHARS, true),
    fastPath: options.fastPath ?? true
  }
}

// ---- running the grammar ---------------------------------------------------------------------

type RunResult =
  | { status: 'ok'; value: unknown }
  | { status: 'incomplete' }
  | { status: 'ambiguous'; count: number }
  | { status: 'error'; offset: number }

const compiled = grammar as unknown as nearley.CompiledRules

/** One compiled grammar with a reusable parser: restored to its start column before each run. */
class GrammarRunner {
  readonly #parser: nearley.Parser
  readonly #start: ReturnType<nearley.Parser['save']>

  constructor (start: string, lexerState?: string) {
    const g = nearley.Grammar.fromCompiled(compiled)
    g.start = start
    const parser = new nearley.Parser(g)
    // nearley builds a long report on every syntax error; a rejected line needs only the offset.
    const quiet = parser as unknown as { reportError: () => string; reportLexerError: () => string }
    quiet.reportError = () => 'syntax error'
    quiet.reportLexerError = () => 'lexer error'
    if (lexerState !== undefined) parser.lexerState = { line: 1, col: 1, state: lexerState } as unknown as nearley.LexerState
    this.#parser = parser
    this.#start = parser.save()
  }

  run (text: string): RunResult {
    const parser = this.#parser
    parser.restore(this.#start)
    try {
      parser.feed(text)
    } catch (err) {
      const token = (err as { token?: { offset?: unknown } }).token
      return { status: 'error', offset: typeof token?.offset === 'number' ? token.offset : -1 }
    }
    const results = parser.results
    if (results.length === 1) return { status: 'ok', value: results[0] }
    if (results.length === 0) return { status: 'incomplete' }
    return { status: 'ambiguous', count: results.length }
  }
}

let lineRunner: GrammarRunner | undefined
let bodyRunner: GrammarRunner | undefined

function runLine (text: string): RunResult {
  lineRunner ??= new GrammarRunner('line')
  return lineRunner.run(text)
}

/** What the `line` rule's postprocessor returns. */
interface LineParts {
  time: string | null
  serial: string
  module: string
  thread: string | undefined
  level: Level
  messageOffset: number
}

/** How the `body` grammar classified a message: `none` = no template matched (a plain `vlog` line). */
export type BodyClassification =
  | { status: 'ok'; body: EventBody }
  | { status: 'none' }
  | { status: 'ambiguous'; count: number }

/** Runs the `body` grammar on one message of one module, with no prefilter and no cache. */
export function classifyBody (module: string, message: string): BodyClassification {
  bodyRunner ??= new GrammarRunner('body', BODY_LEXER_STATE)
  const r = bodyRunner.run(module + '|' + message)
  if (r.status === 'ok') return { status: 'ok', body: materialize(r.value) as EventBody }
  if (r.status === 'ambiguous') return r
  return { status: 'none' }
}

// ---- the fast path ---------------------------------------------------------------------------

const MODULE_RE = new RegExp(`^(?:${MODULE_PATTERN})$`)

// The envelope as one regex, assembled from the grammar's own token patterns.
const ENVELOPE_RE = new RegExp(
  `^(?:(${TIMESTAMP_PATTERN})|${SYSLOG_TAG})\\|(${SERIAL_PATTERN})\\|(${MODULE_PATTERN})(?:\\(((?:${THREAD_PATTERN})?)\\))?\\|(${LEVEL_PATTERN})\\|`
)

/**
 * False when no template of the `body` grammar can match (module and literal words checked
 * cheaply). Must accept everything the grammar accepts: the differential test checks it.
 */
/** The modules under which some template of the grammar can match: exactly the cases of `mayMatchTemplate` (the scan's byte prefilter skips every other module). */
export const TEMPLATE_MODULES: readonly string[] = ['binding', 'pinctrl', 'if_status', 'bridge', 'dpif', 'ofproto', 'bfd']

function mayMatchTemplate (module: string, msg: string): boolean {
  if (msg.startsWith('Dropped ')) return true
  switch (module) {
    case 'binding':
      switch (msg.charCodeAt(0)) {
        case 67: // C
          if (msg.startsWith('Claiming lport ') || msg.startsWith('Changing chassis ')) return true
          break
        case 82: // R
          if (msg.startsWith('Releasing lport ') || msg.startsWith('Removing ')) return true
          break
        case 80: // P
          if (msg.startsWith('Postponed claim ')) return true
          break
        case 78: // N
          if (msg.startsWith('Not claiming ')) return true
          break
        case 83: // S
          if (msg.startsWith('Setting lport ')) return true
          break
      }
      {
        // `%s: Claiming %s`, whatever letter the port name starts with
        const sp = msg.indexOf(' ')
        return sp > 1 && msg.charCodeAt(sp - 1) === 58 && msg.startsWith('Claiming', sp + 1)
      }
    case 'pinctrl':
      return msg.startsWith('Claiming virtual lport ') || msg.startsWith('Postponing virtual lport ')
    case 'if_status':
      return msg.startsWith('if_status_handle_claims ')
    case 'bridge':
      return msg.startsWith('bridge ') && (msg.includes(' added interface ') || msg.includes(' deleted interface '))
    case 'dpif':
      return msg.includes(' failed to add ')
    case 'ofproto':
      return msg.includes(' cannot ') || msg.includes(' failed to allocate')
    case 'bfd':
      return msg.includes(': BFD state change: ')
    default:
      return false
  }
}

/**
 * Bounded memo of body classifications, two generations (a cheap LRU): lookups promote from the
 * old generation; when the young one is full it becomes the old one. Keyed by module, then
 * message (no key string to build per line). `null` = no template.
 */
class BodyCache {
  #young = new Map<string, Map<string, EventBody | null>>()
  #old = new Map<string, Map<string, EventBody | null>>()
  #size = 0
  readonly #half: number

  constructor (entries: number) {
    this.#half = Math.max(1, Math.floor(entries / 2))
  }

  get (module: string, message: string): EventBody | null | undefined {
    const v = this.#young.get(module)?.get(message)
    if (v !== undefined) return v
    const o = this.#old.get(module)?.get(message)
    if (o !== undefined) this.set(module, message, o)
    return o
  }

  set (module: string, message: string, value: EventBody | null): void {
    let m = this.#young.get(module)
    if (m === undefined) this.#young.set(module, m = new Map())
    m.set(message, value)
    if (++this.#size >= this.#half) {
      this.#old = this.#young
      this.#young = new Map()
      this.#size = 0
    }
  }
}

// A few templates carry a new name or count in nearly every line (`added interface <new port>`,
// `Dropped N log messages`): they miss the cache every time, and a nearley run costs ~15 µs.
// These anchored regexes say what the grammar says for them, from the `words` lexer state's
// tokens: `_` is one space, a word is a run of anything but space, `"` and newline (a word at the
// end of the message may not end in `.`, the `dot` token: `\d+$` excludes it), a literal is a
// word with that text. test/vlog-differential.test.ts checks them against the grammar.
const WORD = '[^ "\\n]+'
// `bridge colonName: added|deleted interface name on port int` (ovs-vswitchd.ne, module bridge)
const IFACE_RE = new RegExp(`^bridge (${WORD}): (added|deleted) interface (${WORD}) on port (-?\\d+)$`)
// `dropped` (ovs-line.ne, any module)
const DROPPED_RE = /^Dropped (\d+) log messages in last (\d+) seconds \(most recently, (\d+) seconds ago\) due to excessive rate$/
// `binding` claims (ovn-controller.ne): every claim of a port no line has named before misses the cache.
// The last word of a message takes no final `.` (the `dot` token), hence the lazy group before `\.?$`;
// a last "word" that is only that `.` is no word at all (checked by the caller).
const CLAIM_RE = new RegExp(`^Claiming lport (${WORD}) for this (additional )?chassis\\.$`)
const CHANGE_RE = new RegExp(`^Changing chassis for lport (${WORD}) from (${WORD}) to (${WORD}?)\\.?$`)
// `lport: Claiming <addresses>`: the addresses are the rest of the message, read by the grammar's own function.
const ADDRESSES_RE = new RegExp(`^(${WORD}): Claiming(?: ([^]*))?$`)

/**
 * The body the `body` grammar gives a fixed-shape template (same keys, same order), or undefined
 * for any other message. `module` is a module name (MODULE_PATTERN), as the callers here check.
 * Exported for the differential test.
 */
export function classifyFixedShape (module: string, message: string): EventBody | undefined {
  const c = message.charCodeAt(0)
  if (c === 68) { // D
    const m = DROPPED_RE.exec(message)
    if (m !== null) return { kind: 'vlog-dropped', count: Number(m[1]), seconds: Number(m[2]), mostRecentSecondsAgo: Number(m[3]) }
  } else if (c === 98 && module === 'bridge') { // b
    const m = IFACE_RE.exec(message)
    if (m !== null) return { kind: m[2] === 'added' ? 'iface-added' : 'iface-deleted', bridge: m[1] as string, iface: m[3] as string, ofport: Number(m[4]) }
  } else if (c === 67 && module === 'binding') { // C
    const claim = CLAIM_RE.exec(message)
    if (claim !== null) return { kind: 'lport-claim', lport: claim[1] as string, additional: claim[2] !== undefined }
    const change = CHANGE_RE.exec(message)
    if (change !== null && !message.endsWith(' to .')) return { kind: 'lport-chassis-change', lport: change[1] as string, from: change[2] as string, to: change[3] as string }
  }
  if (module === 'binding') {
    const claim = ADDRESSES_RE.exec(message)
    if (claim !== null) return { kind: 'lport-claim-addresses', lport: claim[1] as string, addresses: addresses(claim[2] ?? '') as AddressToken[] }
  }
  return undefined
}

function classifyCached (module: string, message: string, cache: BodyCache | null): EventBody | null {
  if (!mayMatchTemplate(module, message)) return null
  if (cache === null || message.length > MAX_CACHED_BODY_CHARS) return classifyFixedShape(module, message) ?? classifiedBody(module, message)
  const hit = cache.get(module, message)
  if (hit !== undefined) return hit
  const fast = classifyFixedShape(module, message)
  if (fast !== undefined) {
    // A claim comes again (a storm repeats a few bodies thousands of times): cached. An interface or a
    // `Dropped N` count rarely does, and would push out the bodies that do.
    if (fast.kind === 'lport-claim' || fast.kind === 'lport-chassis-change' || fast.kind === 'lport-claim-addresses') cache.set(module, message, fast)
    return fast
  }
  const body = classifiedBody(module, message)
  cache.set(module, message, body)
  return body
}

/** An ambiguous body (the grammar is built not to have any) is kept as a plain `vlog` line. */
function classifiedBody (module: string, message: string): EventBody | null {
  const c = classifyBody(module, message)
  return c.status === 'ok' ? c.body : null
}

// ---- events ----------------------------------------------------------------------------------

/** An event from envelope fields and a (possibly cached, shared) body; one allocation for `vlog`. */
function makeEvent (time: string | null, timeMs: number | null, seq: number, module: string, thread: string | undefined,
  level: Level, message: string, source: Source, body: EventBody | null): OvsEvent {
  const kind = body === null ? 'vlog' : body.kind
  const ev = thread === undefined
    ? { kind, time, timeMs, seq, module, level, message, source }
    : { kind, time, timeMs, seq, module, thread, level, message, source }
  if (body === null) return ev as OvsEvent
  // Cached bodies are shared: copy the one nested array.
  if (body.kind === 'lport-claim-addresses') return Object.assign(ev, { lport: body.lport, addresses: body.addresses.map((a) => ({ ...a })) }) as OvsEvent
  return Object.assign(ev, body) as OvsEvent
}

/** `makeEvent` for a caller's envelope, which may carry more fields (`continuation`). */
function buildEvent (env: Envelope, body: EventBody | null): OvsEvent {
  if (body === null) return { kind: 'vlog', ...env }
  // Cached bodies are shared: copy the one nested array.
  if (body.kind === 'lport-claim-addresses') {
    return { kind: body.kind, ...env, lport: body.lport, addresses: body.addresses.map((a) => ({ ...a })) }
  }
  return Object.assign({ kind: body.kind, ...env }, body) as OvsEvent
}

/**
 * Classifies a message body whose envelope is already known (RFC 5424 syslog, where time,
 * module and level come from the syslog header). Never throws.
 */
export function eventFromEnvelope (env: Envelope): OvsEvent {
  const classify = env.message.length <= DEFAULT_MAX_BODY_CHARS && MODULE_RE.test(env.module)
  return buildEvent(env, classify ? classifyCached(env.module, env.message, defaultCache) : null)
}

// ---- time ------------------------------------------------------------------------------------

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function digits (s: string, from: number, n: number): number {
  let v = 0
  for (let i = from; i < from + n; i++) v = v * 10 + s.charCodeAt(i) - 48
  return v
}

/**
 * Epoch ms of a timestamp already matched by TIMESTAMP_PATTERN (so fields are in range), or NaN
 * for a day the month does not have. A time without `Z` (`%d` patterns) is local time of an
 * unknown zone: it is read as UTC.
 */
export function vlogTimeToMs (ts: string): number {
  // Lines of one log share the hour: its epoch is computed once.
  if (!ts.startsWith(memoHour)) {
    memoHour = ts.slice(0, 13)
    memoHourMs = hourToMs(ts)
  }
  let ms = 0
  if (ts.charCodeAt(19) === 46) {
    // fraction of a second: `.###` is milliseconds; fewer or more digits are scaled
    let scale = 100
    for (let i = 20; i < ts.length && scale >= 1; i++) {
      const c = ts.charCodeAt(i)
      if (c < 48 || c > 57) break
      ms += (c - 48) * scale
      scale /= 10
    }
  }
  return memoHourMs + digits(ts, 14, 2) * 60_000 + digits(ts, 17, 2) * 1000 + ms
}

let memoHour = '\u0000'.repeat(13)
let memoHourMs = NaN

/** Epoch ms of `YYYY-MM-DDTHH`, NaN for a day the month does not have. */
function hourToMs (ts: string): number {
  const y = digits(ts, 0, 4)
  const mo = digits(ts, 5, 2)
  const d = digits(ts, 8, 2)
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
  if (d > (mo === 2 && leap ? 29 : DAYS[mo - 1] ?? 0)) return NaN
  const t = Date.UTC(y, mo - 1, d, digits(ts, 11, 2))
  if (y >= 100) return t
  const date = new Date(t) // Date.UTC maps years 0–99 to 1900–1999
  date.setUTCFullYear(y)
  return date.getTime()
}

// ---- Unparsed --------------------------------------------------------------------------------

function cutText (text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text
  const head = Buffer.from(text.slice(0, maxBytes), 'utf8')
  if (head.length <= maxBytes) return text.slice(0, maxBytes)
  let end = maxBytes
  while (end > 0 && ((head[end] ?? 0) & 0xc0) === 0x80) end-- // back to a character boundary
  return head.subarray(0, end).toString('utf8')
}

function makeUnparsed (code: UnparsedCode, text: string, original: string, source: Source, opts: Resolved, detail?: string): Unparsed {
  const u: Unparsed = {
    kind: 'unparsed',
    code,
    text: cutText(text, opts.maxUnparsedTextBytes),
    bytes: Buffer.byteLength(original, 'utf8'),
    source
  }
  if (detail !== undefined) u.detail = detail
  return u
}

const NOT_VLOG_DETAIL = 'does not start with a vlog timestamp or `ovs|`'
const FIELD_NAMES = ['timestamp', 'serial number', 'module', 'level'] as const
const TS_SHAPE = '0000-00-00T00:00:00'

/** True when `s` could be the start of a timestamp (digits where digits go). */
function isTimestampPrefix (s: string): boolean {
  if (s.length >= TS_SHAPE.length) return false
  for (let i = 0; i < s.length; i++) {
    const want = TS_SHAPE.charCodeAt(i)
    const c = s.charCodeAt(i)
    if (want === 48 ? c < 48 || c > 57 : c !== want) return false
  }
  return true
}

/** Why the `line` grammar rejected a line, from where it stopped. */
function diagnose (text: string, r: RunResult): { code: UnparsedCode; detail: string } {
  if (r.status === 'incomplete') return { code: 'truncated', detail: 'the line ends inside the vlog envelope' }
  if (r.status === 'ambiguous') return { code: 'not-vlog', detail: `ambiguous envelope (${r.count} parses)` }
  if (r.status === 'ok') return { code: 'not-vlog', detail: 'unexpected grammar result' }
  const at = r.offset < 0 ? text.length : r.offset
  let field = 0
  for (let i = text.indexOf('|'); i !== -1 && i < at; i = text.indexOf('|', i + 1)) field++
  const rest = text.slice(at)
  switch (field) {
    case 0:
      if (/^\d{4}-/.test(text)) {
        return !text.includes('|') && isTimestampPrefix(text)
          ? { code: 'truncated', detail: 'the line ends inside the timestamp' }
          : { code: 'bad-timestamp', detail: `not a vlog timestamp: ${JSON.stringify(text.slice(0, 40))}` }
      }
      return { code: 'not-vlog', detail: NOT_VLOG_DETAIL }
    case 3:
      if (!rest.includes('|') && ['EMER', 'ERR', 'WARN', 'INFO', 'DBG'].some((l) => l.startsWith(rest) && l !== rest)) {
        return { code: 'truncated', detail: 'the line ends inside the level' }
      }
      return { code: 'bad-level', detail: `not a vlog level at offset ${at}: ${JSON.stringify(rest.slice(0, 16))}` }
    default:
      return { code: 'not-vlog', detail: `bad ${FIELD_NAMES[field] ?? 'field'} at offset ${at}` }
  }
}

// ---- parseVlog -------------------------------------------------------------------------------

function parseWith (original: string, source: Source, opts: Resolved, cache: BodyCache | null): OvsEvent | Unparsed {
  // plain-JS callers: a non-string is data too
  if (typeof original !== 'string') return makeUnparsed('not-vlog', '', '', source, opts, `not a string: ${typeof original}`)
  const text = original.charCodeAt(original.length - 1) === 13 ? original.slice(0, -1) : original
  if (text.length > opts.maxLineChars) {
    return makeUnparsed('too-long', text, original, source, opts, `line of ${text.length} characters is longer than maxLineChars (${opts.maxLineChars})`)
  }
  const c0 = text.charCodeAt(0)
  if (text.length === 0 || ((c0 === 32 || c0 === 9) && /^[ \t]*$/.test(text))) {
    return makeUnparsed('empty', text, original, source, opts, 'empty or blank line')
  }

  let time: string | null, serial: string, module: string, thread: string | undefined, level: Level, message: string
  if (opts.fastPath) {
    const m = ENVELOPE_RE.exec(text)
    if (m === null) {
      // The grammar says why; a line not starting with a digit or `ovs` needs no grammar.
      if ((c0 < 48 || c0 > 57) && !text.startsWith(SYSLOG_TAG)) return rejected(text, original, source, opts, 'not-vlog', NOT_VLOG_DETAIL)
      return parseWith(original, source, { ...opts, fastPath: false }, null)
    }
    time = m[1] ?? null
    serial = m[2] as string
    module = m[3] as string
    thread = m[4]
    level = m[5] as Level
    message = text.slice(m[0].length)
  } else {
    const r = runLine(text)
    if (r.status !== 'ok') {
      const { code, detail } = diagnose(text, r)
      return rejected(text, original, source, opts, code, detail)
    }
    const p = r.value as LineParts
    ;({ time, serial, module, thread, level } = p)
    message = text.slice(p.messageOffset)
  }
  const timeMs = time === null ? null : vlogTimeToMs(time)
  if (Number.isNaN(timeMs)) return makeUnparsed('bad-timestamp', text, original, source, opts, `no such date: ${time ?? ''}`)
  const body = message.length > opts.maxBodyChars
    ? null
    : cache === null && !opts.fastPath ? classifiedBody(module, message) : classifyCached(module, message, cache)
  return makeEvent(time, timeMs, Number(serial), module, thread, level, message, source, body)
}

const SUSPECT_RE = /[\u0000\uD800-\uDFFF]/
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** A line the envelope rejected; NUL bytes or broken UTF-16 say more than `not-vlog`. */
function rejected (text: string, original: string, source: Source, opts: Resolved, code: UnparsedCode, detail: string): Unparsed {
  if (!SUSPECT_RE.test(text)) return makeUnparsed(code, text, original, source, opts, detail)
  if (text.includes('\u0000')) return makeUnparsed('binary', text, original, source, opts, 'NUL bytes in the line')
  if (LONE_SURROGATE_RE.test(text)) return makeUnparsed('invalid-utf8', text, original, source, opts, 'unpaired UTF-16 surrogates in the line')
  return makeUnparsed(code, text, original, source, opts, detail)
}

const defaultCache = new BodyCache(DEFAULT_CACHE_ENTRIES)

/**
 * Parses one physical vlog line, already unwrapped (a trailing `\r` is stripped). Never throws
 * on any input: a line that is not vlog is an `Unparsed` with a precise `code`. Throws
 * `StormError` `E_CONFIG` only for invalid options.
 */
export function parseVlog (text: string, source: Source, options?: VlogOptions): OvsEvent | Unparsed {
  const opts = resolve(options)
  return parseWith(text, source, opts, opts.fastPath ? defaultCache : null)
}

/** A `parseVlog` with its own options and body cache (validated once, here). */
export function createVlogParser (options: VlogParserOptions = {}): (text: string, source: Source) => OvsEvent | Unparsed {
  const opts = resolve(options)
  const entries = positiveInt('cacheEntries', options.cacheEntries, DEFAULT_CACHE_ENTRIES, true)
  const cache = opts.fastPath && entries > 0 ? new BodyCache(entries) : null
  return (text, source) => parseWith(text, source, opts, cache)
}
