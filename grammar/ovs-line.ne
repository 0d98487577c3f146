# One Open vSwitch / OVN vlog line: envelope (catalog 1.1) and message bodies.
#
# Two start symbols share one lexer:
#   line  `TIME|SERIAL|module(thread)|LEVEL|message` (or `ovs|SERIAL|…`), message kept raw;
#   body  `module|message`, message lexed word by word and matched against the templates.
# `line` is the nearley start; src/parse/vlog.ts runs `body` as a second grammar over the
# same rules. A body that matches no template (0 results) is a generic `vlog` line.
# Compile with `npm run grammar` (scripts/build-grammar.mjs).

@preprocessor typescript

@{%
import moo from 'moo'

// Token patterns, exported so the hand-written fast path in vlog.ts splits the envelope
// with exactly these definitions.
export const TIMESTAMP_PATTERN = '\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{1,9})?Z?'
export const SERIAL_PATTERN = '\\d+'
export const MODULE_PATTERN = '[A-Za-z_][A-Za-z0-9_]*'
export const THREAD_PATTERN = '[^)|]+'
export const LEVEL_PATTERN = 'EMER|ERR|WARN|INFO|DBG'
export const SYSLOG_TAG = 'ovs'
/** Lexer state `body` mode starts in. */
export const BODY_LEXER_STATE = 'body'

const lexer = moo.states({
  env: {
    ts: new RegExp(TIMESTAMP_PATTERN),
    syslog: SYSLOG_TAG,
    pipe: { match: '|', next: 'serial' },
    error: moo.error
  },
  serial: {
    serial: new RegExp(SERIAL_PATTERN),
    pipe: { match: '|', next: 'module' },
    error: moo.error
  },
  module: {
    ident: new RegExp(MODULE_PATTERN),
    lparen: { match: '(', next: 'thread' },
    pipe: { match: '|', next: 'level' },
    error: moo.error
  },
  thread: {
    thread: { match: new RegExp(THREAD_PATTERN), lineBreaks: true },
    rparen: { match: ')', next: 'afterThread' },
    error: moo.error
  },
  afterThread: {
    pipe: { match: '|', next: 'level' },
    error: moo.error
  },
  level: {
    level: new RegExp(LEVEL_PATTERN),
    pipe: { match: '|', next: 'message' },
    error: moo.error
  },
  message: {
    text: { match: /[^]+/, lineBreaks: true }
  },
  body: {
    ident: new RegExp(MODULE_PATTERN),
    pipe: { match: '|', next: 'words' },
    error: moo.error
  },
  // Message words: single spaces are tokens (so empty `%s` arguments stay visible), a quoted
  // string is one token, and a period that ends the message is its own token.
  // (A newline, which one physical line should not hold, is a token of its own: moo's line
  // counting would otherwise run on every word.)
  words: {
    sp: ' ',
    nl: { match: '\n', lineBreaks: true },
    qstr: /"[^"\n]*"/,
    dquote: '"',
    dot: /\.(?![^])/,
    word: /[^ "\n]+?(?=\.?(?![^])|[ "\n])/,
    error: moo.error
  }
})

// Postprocessor helpers: `r` is nearley's reject sentinel.
const suffixed = (suffix: string) => (d: any[], _l: any, r: any) => {
  const v: string = d[0].text
  return v.length > suffix.length && v.endsWith(suffix) ? v.slice(0, -suffix.length) : r
}
const uint = (d: any[], _l: any, r: any) => /^\d+$/.test(d[0].text) ? Number(d[0].text) : r
const int = (d: any[], _l: any, r: any) => /^-?\d+$/.test(d[0].text) ? Number(d[0].text) : r
const BFD_STATES = ['admin_down', 'down', 'init', 'up']
const unquote = (t: any): string => t.text.slice(1, -1)

function addressToken (value: string): any {
  if (value === 'unknown' || value === 'dynamic' || value === 'router') return { type: 'keyword', value }
  if (/^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$/.test(value)) return { type: 'mac', value }
  const slash = value.indexOf('/')
  const addr = slash === -1 ? value : value.slice(0, slash)
  const plen = slash === -1 ? '' : value.slice(slash + 1)
  if (slash !== -1 && !/^\d{1,3}$/.test(plen)) return { type: 'other', value }
  const prefix = Number(plen)
  if (isIPv4(addr) && (slash === -1 || prefix <= 32)) {
    return slash === -1 ? { type: 'ipv4', value: addr } : { type: 'ipv4', value: addr, prefix }
  }
  if (isIPv6(addr) && (slash === -1 || prefix <= 128)) {
    return slash === -1 ? { type: 'ipv6', value: addr } : { type: 'ipv6', value: addr, prefix }
  }
  return { type: 'other', value }
}
function isIPv4 (s: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s)
  return m !== null && m.slice(1).every((p) => Number(p) <= 255)
}
function isIPv6 (s: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || s.indexOf(':') === -1) return false
  let head = s
  const groupsNeeded = 8
  const lastColon = s.lastIndexOf(':')
  const tail = s.slice(lastColon + 1)
  if (tail.includes('.')) {
    if (!isIPv4(tail)) return false
    head = s.slice(0, lastColon + 1) + '0:0'
  }
  const dbl = head.indexOf('::')
  if (dbl !== -1 && head.indexOf('::', dbl + 1) !== -1) return false
  const parts = dbl === -1 ? head.split(':') : [...head.slice(0, dbl).split(':'), ...head.slice(dbl + 2).split(':')].filter((p) => p !== '')
  if (parts.some((p) => !/^[0-9A-Fa-f]{1,4}$/.test(p))) return false
  return dbl === -1 ? parts.length === groupsNeeded : parts.length < groupsNeeded
}
/** The address list of `X: Claiming <addresses>`; exported for the fast path (src/parse/vlog.ts). */
export function addresses (text: string): any[] {
  return text.split(' ').filter((w) => w !== '').map(addressToken)
}

// Free text is kept as a linked list of token texts while parsing: every prefix of a text is a
// text too, so its postprocessor runs at every token and must not build strings (quadratic on
// long lines). `pb` notes a `pb->chassis` word, for the `Not claiming` forms.
interface TextList { prev: TextList | null; tok: string; pb: boolean }
const EMPTY_TEXT: TextList = { prev: null, tok: '', pb: false }
function joinText (list: TextList): string {
  const parts: string[] = []
  for (let t: TextList | null = list; t !== null; t = t.prev) parts.push(t.tok)
  return parts.reverse().join('')
}
/** A body field still in list form; `materialize` turns it into its value once parsing is done. */
class LazyText {
  list: TextList
  as: 'string' | 'addresses'
  constructor (list: TextList, as: 'string' | 'addresses') {
    this.list = list
    this.as = as
  }
}
/** Turns the lazy fields of the one parse result into strings / address lists (in place). */
export function materialize (body: any): any {
  for (const key of Object.keys(body)) {
    const v = body[key]
    if (v instanceof LazyText) body[key] = v.as === 'string' ? joinText(v.list) : addresses(joinText(v.list))
  }
  return body
}
%}

@lexer lexer

# ---- the vlog envelope ------------------------------------------------------------------------

# Catalog 1.1, 1.9: file `%D{…###Z}|%05N|%c%T|%p|%m`, console (no
# milliseconds), syslog `ovs|%05N|%c%T|%p|%m`, `%d` local time (no `Z`). The message is one raw
# token: it is classified separately by `body`.

line -> head %pipe %serial %pipe module %pipe %level %pipe message
  {% (d) => ({
    time: d[0],
    serial: d[2].text,
    module: d[4].module,
    thread: d[4].thread,
    level: d[6].text,
    messageOffset: d[7].offset + 1
  }) %}

head -> %ts                                 {% (d) => d[0].text %}
      | %syslog                             {% () => null %}

# `%c%T`: `%T` is the thread name in parentheses, any characters but `)` (and `|`).
module -> %ident                            {% (d) => ({ module: d[0].text, thread: undefined }) %}
        | %ident %lparen %rparen            {% (d) => ({ module: d[0].text, thread: '' }) %}
        | %ident %lparen %thread %rparen    {% (d) => ({ module: d[0].text, thread: d[2].text }) %}

message -> null | %text                     {% () => null %}

# ---- message bodies ---------------------------------------------------------------------------

body -> "binding" %pipe binding            {% (d) => d[2] %}
      | "pinctrl" %pipe pinctrl            {% (d) => d[2] %}
      | "if_status" %pipe ifStatus         {% (d) => d[2] %}
      | "bridge" %pipe bridge              {% (d) => d[2] %}
      | "dpif" %pipe dpif                  {% (d) => d[2] %}
      | "ofproto" %pipe ofproto            {% (d) => d[2] %}
      | "bfd" %pipe bfd                    {% (d) => d[2] %}
      | %ident %pipe dropped               {% (d) => d[2] %}

# vlog's own rate-limit summary, logged under the module of the call site (catalog 1.8).
dropped -> "Dropped" _ uint _ "log" _ "messages" _ "in" _ "last" _ uint _ "seconds" _ "(most" _ "recently," _ uint _ "seconds" _ "ago)" _ "due" _ "to" _ "excessive" _ "rate"
  {% (d) => ({ kind: 'vlog-dropped', count: d[2], seconds: d[12], mostRecentSecondsAgo: d[20] }) %}

# ---- shared pieces ----------------------------------------------------------------------------

_ -> %sp                  {% () => null %}
name -> %word             {% (d) => d[0].text %}
# A name that ends a template without a final period: a trailing `.` belongs to the name.
tailName -> %word         {% (d) => d[0].text %}
          | %word %dot    {% (d) => d[0].text + '.' %}
colonName -> %word        {% suffixed(':') %}
commaName -> %word        {% suffixed(',') %}
uint -> %word             {% uint %}
int -> %word              {% int %}
# Free text: any run of tokens, possibly empty (a TextList: see LazyText above).
text -> null              {% () => EMPTY_TEXT %}
      | text textTok      {% (d) => ({ prev: d[0], tok: d[1], pb: d[0].pb || d[1] === 'pb->chassis' }) %}
textTok -> %sp {% (d) => d[0].text %} | %word {% (d) => d[0].text %} | %qstr {% (d) => d[0].text %} | %dquote {% (d) => d[0].text %} | %dot {% (d) => d[0].text %} | %nl {% (d) => d[0].text %}

# ---- templates, by daemon ---------------------------------------------------------------------

@include "ovn-controller.ne"
@include "ovs-vswitchd.ne"
