// GENERATED FILE, DO NOT EDIT: compiled by scripts/build-grammar.mjs (npm run grammar)
// from grammar/ovs-line.ne and the files it includes. Edit the grammar and rebuild.
// test/grammar-drift.test.ts fails when this file and the grammar disagree.
// @ts-nocheck
// Generated automatically by nearley, version 2.20.1
// http://github.com/Hardmath123/nearley
// Bypasses TS6133. Allow declared but unused functions.
// @ts-ignore
function id(d: any[]): any { return d[0]; }
declare var pipe: any;
declare var serial: any;
declare var level: any;
declare var ts: any;
declare var syslog: any;
declare var ident: any;
declare var lparen: any;
declare var rparen: any;
declare var thread: any;
declare var text: any;
declare var sp: any;
declare var word: any;
declare var dot: any;
declare var qstr: any;
declare var dquote: any;
declare var nl: any;
declare var dot: any;
declare var word: any;
declare var word: any;
declare var dot: any;
declare var qstr: any;

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

interface NearleyToken {
  value: any;
  [key: string]: any;
};

interface NearleyLexer {
  reset: (chunk: string, info: any) => void;
  next: () => NearleyToken | undefined;
  save: () => any;
  formatError: (token: never) => string;
  has: (tokenType: string) => boolean;
};

interface NearleyRule {
  name: string;
  symbols: NearleySymbol[];
  postprocess?: (d: any[], loc?: number, reject?: {}) => any;
};

type NearleySymbol = string | { literal: any } | { test: (token: any) => boolean };

interface Grammar {
  Lexer: NearleyLexer | undefined;
  ParserRules: NearleyRule[];
  ParserStart: string;
};

const grammar: Grammar = {
  Lexer: lexer,
  ParserRules: [
    {"name": "line", "symbols": ["head", (lexer.has("pipe") ? {type: "pipe"} : pipe), (lexer.has("serial") ? {type: "serial"} : serial), (lexer.has("pipe") ? {type: "pipe"} : pipe), "module", (lexer.has("pipe") ? {type: "pipe"} : pipe), (lexer.has("level") ? {type: "level"} : level), (lexer.has("pipe") ? {type: "pipe"} : pipe), "message"], "postprocess":  (d) => ({
          time: d[0],
          serial: d[2].text,
          module: d[4].module,
          thread: d[4].thread,
          level: d[6].text,
          messageOffset: d[7].offset + 1
        }) },
    {"name": "head", "symbols": [(lexer.has("ts") ? {type: "ts"} : ts)], "postprocess": (d) => d[0].text},
    {"name": "head", "symbols": [(lexer.has("syslog") ? {type: "syslog"} : syslog)], "postprocess": () => null},
    {"name": "module", "symbols": [(lexer.has("ident") ? {type: "ident"} : ident)], "postprocess": (d) => ({ module: d[0].text, thread: undefined })},
    {"name": "module", "symbols": [(lexer.has("ident") ? {type: "ident"} : ident), (lexer.has("lparen") ? {type: "lparen"} : lparen), (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": (d) => ({ module: d[0].text, thread: '' })},
    {"name": "module", "symbols": [(lexer.has("ident") ? {type: "ident"} : ident), (lexer.has("lparen") ? {type: "lparen"} : lparen), (lexer.has("thread") ? {type: "thread"} : thread), (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": (d) => ({ module: d[0].text, thread: d[2].text })},
    {"name": "message", "symbols": []},
    {"name": "message", "symbols": [(lexer.has("text") ? {type: "text"} : text)], "postprocess": () => null},
    {"name": "body", "symbols": [{"literal":"binding"}, (lexer.has("pipe") ? {type: "pipe"} : pipe), "binding"], "postprocess": (d) => d[2]},
    {"name": "body", "symbols": [{"literal":"pinctrl"}, (lexer.has("pipe") ? {type: "pipe"} : pipe), "pinctrl"], "postprocess": (d) => d[2]},
    {"name": "body", "symbols": [{"literal":"if_status"}, (lexer.has("pipe") ? {type: "pipe"} : pipe), "ifStatus"], "postprocess": (d) => d[2]},
    {"name": "body", "symbols": [{"literal":"bridge"}, (lexer.has("pipe") ? {type: "pipe"} : pipe), "bridge"], "postprocess": (d) => d[2]},
    {"name": "body", "symbols": [{"literal":"dpif"}, (lexer.has("pipe") ? {type: "pipe"} : pipe), "dpif"], "postprocess": (d) => d[2]},
    {"name": "body", "symbols": [{"literal":"ofproto"}, (lexer.has("pipe") ? {type: "pipe"} : pipe), "ofproto"], "postprocess": (d) => d[2]},
    {"name": "body", "symbols": [{"literal":"bfd"}, (lexer.has("pipe") ? {type: "pipe"} : pipe), "bfd"], "postprocess": (d) => d[2]},
    {"name": "body", "symbols": [(lexer.has("ident") ? {type: "ident"} : ident), (lexer.has("pipe") ? {type: "pipe"} : pipe), "dropped"], "postprocess": (d) => d[2]},
    {"name": "dropped", "symbols": [{"literal":"Dropped"}, "_", "uint", "_", {"literal":"log"}, "_", {"literal":"messages"}, "_", {"literal":"in"}, "_", {"literal":"last"}, "_", "uint", "_", {"literal":"seconds"}, "_", {"literal":"(most"}, "_", {"literal":"recently,"}, "_", "uint", "_", {"literal":"seconds"}, "_", {"literal":"ago)"}, "_", {"literal":"due"}, "_", {"literal":"to"}, "_", {"literal":"excessive"}, "_", {"literal":"rate"}], "postprocess": (d) => ({ kind: 'vlog-dropped', count: d[2], seconds: d[12], mostRecentSecondsAgo: d[20] })},
    {"name": "_", "symbols": [(lexer.has("sp") ? {type: "sp"} : sp)], "postprocess": () => null},
    {"name": "name", "symbols": [(lexer.has("word") ? {type: "word"} : word)], "postprocess": (d) => d[0].text},
    {"name": "tailName", "symbols": [(lexer.has("word") ? {type: "word"} : word)], "postprocess": (d) => d[0].text},
    {"name": "tailName", "symbols": [(lexer.has("word") ? {type: "word"} : word), (lexer.has("dot") ? {type: "dot"} : dot)], "postprocess": (d) => d[0].text + '.'},
    {"name": "colonName", "symbols": [(lexer.has("word") ? {type: "word"} : word)], "postprocess": suffixed(':')},
    {"name": "commaName", "symbols": [(lexer.has("word") ? {type: "word"} : word)], "postprocess": suffixed(',')},
    {"name": "uint", "symbols": [(lexer.has("word") ? {type: "word"} : word)], "postprocess": uint},
    {"name": "int", "symbols": [(lexer.has("word") ? {type: "word"} : word)], "postprocess": int},
    {"name": "text", "symbols": [], "postprocess": () => EMPTY_TEXT},
    {"name": "text", "symbols": ["text", "textTok"], "postprocess": (d) => ({ prev: d[0], tok: d[1], pb: d[0].pb || d[1] === 'pb->chassis' })},
    {"name": "textTok", "symbols": [(lexer.has("sp") ? {type: "sp"} : sp)], "postprocess": (d) => d[0].text},
    {"name": "textTok", "symbols": [(lexer.has("word") ? {type: "word"} : word)], "postprocess": (d) => d[0].text},
    {"name": "textTok", "symbols": [(lexer.has("qstr") ? {type: "qstr"} : qstr)], "postprocess": (d) => d[0].text},
    {"name": "textTok", "symbols": [(lexer.has("dquote") ? {type: "dquote"} : dquote)], "postprocess": (d) => d[0].text},
    {"name": "textTok", "symbols": [(lexer.has("dot") ? {type: "dot"} : dot)], "postprocess": (d) => d[0].text},
    {"name": "textTok", "symbols": [(lexer.has("nl") ? {type: "nl"} : nl)], "postprocess": (d) => d[0].text},
    {"name": "binding", "symbols": [{"literal":"Claiming"}, "_", {"literal":"lport"}, "_", "name", "_", {"literal":"for"}, "_", {"literal":"this"}, "_", {"literal":"chassis"}, (lexer.has("dot") ? {type: "dot"} : dot)], "postprocess": (d) => ({ kind: 'lport-claim', lport: d[4], additional: false })},
    {"name": "binding", "symbols": [{"literal":"Claiming"}, "_", {"literal":"lport"}, "_", "name", "_", {"literal":"for"}, "_", {"literal":"this"}, "_", {"literal":"additional"}, "_", {"literal":"chassis"}, (lexer.has("dot") ? {type: "dot"} : dot)], "postprocess": (d) => ({ kind: 'lport-claim', lport: d[4], additional: true })},
    {"name": "binding$ebnf$1", "symbols": [(lexer.has("dot") ? {type: "dot"} : dot)], "postprocess": id},
    {"name": "binding$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "binding", "symbols": [{"literal":"Changing"}, "_", {"literal":"chassis"}, "_", {"literal":"for"}, "_", {"literal":"lport"}, "_", "name", "_", {"literal":"from"}, "_", "name", "_", {"literal":"to"}, "_", "name", "binding$ebnf$1"], "postprocess": (d) => ({ kind: 'lport-chassis-change', lport: d[8], from: d[12], to: d[16] })},
    {"name": "binding", "symbols": ["colonName", "_", {"literal":"Claiming"}, "addressBlob"], "postprocess": (d) => ({ kind: 'lport-claim-addresses', lport: d[0], addresses: d[3] })},
    {"name": "binding", "symbols": [{"literal":"Releasing"}, "_", {"literal":"lport"}, "_", "name", "_", {"literal":"from"}, "_", {"literal":"this"}, "_", {"literal":"chassis"}, (lexer.has("dot") ? {type: "dot"} : dot)], "postprocess": (d) => ({ kind: 'lport-release', lport: d[4], additional: false, form: 'this-chassis' })},
    {"name": "binding", "symbols": [{"literal":"Releasing"}, "_", {"literal":"lport"}, "_", "name", "_", {"literal":"from"}, "_", {"literal":"this"}, "_", {"literal":"chassis"}, "_", "sbReadonly"], "postprocess": (d) => ({ kind: 'lport-release', lport: d[4], additional: false, sbReadonly: d[12], form: 'sb-readonly' })},
    {"name": "binding", "symbols": [{"literal":"Releasing"}, "_", {"literal":"lport"}, "_", "name", "_", {"literal":"from"}, "_", {"literal":"this"}, "_", {"literal":"additional"}, "_", {"literal":"chassis"}, (lexer.has("dot") ? {type: "dot"} : dot)], "postprocess": (d) => ({ kind: 'lport-release', lport: d[4], additional: true, form: 'additional' })},
    {"name": "binding", "symbols": [{"literal":"Releasing"}, "_", {"literal":"lport"}, "_", "tailName"], "postprocess": (d) => ({ kind: 'lport-release', lport: d[4], additional: false, form: 'bare' })},
    {"name": "binding", "symbols": [{"literal":"Postponed"}, "_", {"literal":"claim"}, "_", {"literal":"on"}, "_", {"literal":"logical"}, "_", {"literal":"port"}, "_", "name", (lexer.has("dot") ? {type: "dot"} : dot)], "postprocess": (d) => ({ kind: 'lport-claim-postponed', lport: d[10] })},
    {"name": "binding", "symbols": ["notClaiming"], "postprocess": (d) => d[0]},
    {"name": "binding", "symbols": [{"literal":"Setting"}, "_", {"literal":"lport"}, "_", "name", "_", "upDown", "_", {"literal":"in"}, "_", {"literal":"Southbound"}], "postprocess": (d) => ({ kind: 'lport-sb-state', lport: d[4], state: d[6] })},
    {"name": "binding", "symbols": [{"literal":"Setting"}, "_", {"literal":"lport"}, "_", "name", "_", {"literal":"ovn-installed"}, "_", {"literal":"in"}, "_", {"literal":"OVS"}], "postprocess": (d) => ({ kind: 'lport-ovn-installed', target: 'lport', name: d[4], action: 'set' })},
    {"name": "binding", "symbols": [{"literal":"Removing"}, "_", "lportOrIface", "_", "name", "_", {"literal":"ovn-installed"}, "_", {"literal":"in"}, "_", {"literal":"OVS"}], "postprocess": (d) => ({ kind: 'lport-ovn-installed', target: d[2], name: d[4], action: 'removed' })},
    {"name": "addressBlob", "symbols": [], "postprocess": () => []},
    {"name": "addressBlob", "symbols": ["_", "text"], "postprocess": (d) => new LazyText(d[1], 'addresses')},
    {"name": "sbReadonly", "symbols": [(lexer.has("word") ? {type: "word"} : word)], "postprocess": (d, _l, r) => { const m = /^\(sb_readonly=(\d+)\)$/.exec(d[0].text); return m === null ? r : m[1] !== '0' }},
    {"name": "upDown", "symbols": [{"literal":"up"}], "postprocess": () => 'up'},
    {"name": "upDown", "symbols": [{"literal":"down"}], "postprocess": () => 'down'},
    {"name": "lportOrIface", "symbols": [{"literal":"lport"}], "postprocess": () => 'lport'},
    {"name": "lportOrIface", "symbols": [{"literal":"iface"}], "postprocess": () => 'iface'},
    {"name": "notClaiming", "symbols": ["notClaimingHead", "requested"], "postprocess": (d) => ({ kind: 'lport-not-claiming', lport: d[0].lport, chassis: d[0].chassis, requestedChassis: d[1] })},
    {"name": "notClaiming", "symbols": ["notClaimingHead", "requested", "_", {"literal":"pb->chassis"}, "pbChassis"], "postprocess": (d) => ({ kind: 'lport-not-claiming', lport: d[0].lport, chassis: d[0].chassis, requestedChassis: d[1], pbChassis: d[4] })},
    {"name": "notClaimingHead", "symbols": [{"literal":"Not"}, "_", {"literal":"claiming"}, "_", {"literal":"lport"}, "_", "commaName", "_", {"literal":"chassis"}, "_", "name", "_", {"literal":"requested-chassis"}, "_"], "postprocess": (d) => ({ lport: d[6], chassis: d[10] })},
    {"name": "requested", "symbols": ["text"], "postprocess": (d, _l, r) => d[0].pb ? r : new LazyText(d[0], 'string')},
    {"name": "pbChassis", "symbols": [], "postprocess": () => ''},
    {"name": "pbChassis", "symbols": ["_", "text"], "postprocess": (d) => new LazyText(d[1], 'string')},
    {"name": "ifStatus", "symbols": [{"literal":"if_status_handle_claims"}, "_", {"literal":"for"}, "_", "tailName"], "postprocess": (d) => ({ kind: 'if-status-claim', lport: d[4] })},
    {"name": "ifStatus", "symbols": [{"literal":"if_status_handle_claims"}, "_", {"literal":"for"}, "_", "commaName", "_", {"literal":"is_vif"}, "_", {"literal":"="}, "_", "uint"], "postprocess": (d) => ({ kind: 'if-status-claim', lport: d[4], isVif: d[10] !== 0 })},
    {"name": "pinctrl", "symbols": [{"literal":"Claiming"}, "_", {"literal":"virtual"}, "_", {"literal":"lport"}, "_", "name", "_", {"literal":"for"}, "_", {"literal":"this"}, "_", {"literal":"chassis"}, "_", {"literal":"with"}, "_", {"literal":"the"}, "_", {"literal":"virtual"}, "_", {"literal":"parent"}, "_", "tailName"], "postprocess": (d) => ({ kind: 'lport-claim', lport: d[6], additional: false, virtualParent: d[22] })},
    {"name": "pinctrl", "symbols": [{"literal":"Postponing"}, "_", {"literal":"virtual"}, "_", {"literal":"lport"}, "_", "name", "_", {"literal":"claim"}, "_", {"literal":"by"}, "_", "uint", "_", {"literal":"ms"}], "postprocess": (d) => ({ kind: 'lport-claim-postponed', lport: d[6], delayMs: d[12] })},
    {"name": "bridge", "symbols": [{"literal":"bridge"}, "_", "colonName", "_", {"literal":"added"}, "_", {"literal":"interface"}, "_", "name", "_", {"literal":"on"}, "_", {"literal":"port"}, "_", "int"], "postprocess": (d) => ({ kind: 'iface-added', bridge: d[2], iface: d[8], ofport: d[14] })},
    {"name": "bridge", "symbols": [{"literal":"bridge"}, "_", "colonName", "_", {"literal":"deleted"}, "_", {"literal":"interface"}, "_", "name", "_", {"literal":"on"}, "_", {"literal":"port"}, "_", "int"], "postprocess": (d) => ({ kind: 'iface-deleted', bridge: d[2], iface: d[8], ofport: d[14] })},
    {"name": "dpif", "symbols": ["datapath", "_", {"literal":"failed"}, "_", {"literal":"to"}, "_", {"literal":"add"}, "_", "name", "_", {"literal":"as"}, "_", {"literal":"port:"}, "_", "text"], "postprocess": (d) => ({ kind: 'port-add-failed', datapath: d[0], iface: d[8], error: new LazyText(d[14], 'string') })},
    {"name": "datapath", "symbols": ["colonName"], "postprocess": (d) => d[0]},
    {"name": "datapath", "symbols": [(lexer.has("word") ? {type: "word"} : word), "_", {"literal":"at"}, "_", "colonName"], "postprocess": (d) => d[0].text + '@' + d[4]},
    {"name": "ofproto", "symbols": ["colonName", "_", {"literal":"failed"}, "_", {"literal":"to"}, "_", "allocate", "_", {"literal":"ofp"}, "_", {"literal":"port"}, "_", {"literal":"number"}, "_", {"literal":"for"}, "_", "name", (lexer.has("dot") ? {type: "dot"} : dot)], "postprocess": (d) => ({ kind: 'ofport-alloc-failed', bridge: d[0], iface: d[16] })},
    {"name": "ofproto", "symbols": ["colonName", "_", {"literal":"cannot"}, "_", {"literal":"configure"}, "_", "feature", "_", {"literal":"on"}, "_", {"literal":"nonexistent"}, "_", {"literal":"port"}, "_", "uint"], "postprocess": (d) => ({ kind: 'ofproto-nonexistent-port', bridge: d[0], feature: d[6], ofport: d[14] })},
    {"name": "ofproto", "symbols": ["colonName", "_", {"literal":"cannot"}, "_", {"literal":"set"}, "_", {"literal":"queues"}, "_", {"literal":"on"}, "_", {"literal":"nonexistent"}, "_", {"literal":"port"}, "_", "uint"], "postprocess": (d) => ({ kind: 'ofproto-nonexistent-port', bridge: d[0], feature: 'queues', ofport: d[14] })},
    {"name": "allocate", "symbols": [{"literal":"allocated"}]},
    {"name": "allocate", "symbols": [{"literal":"allocate"}]},
    {"name": "feature$subexpression$1", "symbols": [{"literal":"bfd"}]},
    {"name": "feature$subexpression$1", "symbols": [{"literal":"LLDP"}]},
    {"name": "feature$subexpression$1", "symbols": [{"literal":"datapath"}]},
    {"name": "feature$subexpression$1", "symbols": [{"literal":"CFM"}]},
    {"name": "feature$subexpression$1", "symbols": [{"literal":"STP"}]},
    {"name": "feature$subexpression$1", "symbols": [{"literal":"RSTP"}]},
    {"name": "feature", "symbols": ["feature$subexpression$1"], "postprocess": (d) => d[0][0].text},
    {"name": "bfd$ebnf$1", "symbols": [(lexer.has("dot") ? {type: "dot"} : dot)], "postprocess": id},
    {"name": "bfd$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "bfd", "symbols": ["colonName", "_", {"literal":"BFD"}, "_", {"literal":"state"}, "_", {"literal":"change:"}, "_", "bfdTransition", "_", (lexer.has("qstr") ? {type: "qstr"} : qstr), {"literal":"->"}, (lexer.has("qstr") ? {type: "qstr"} : qstr), "bfd$ebnf$1"], "postprocess": (d) => ({ kind: 'bfd-state-change', iface: d[0], oldState: d[8][0], newState: d[8][1], oldDiag: unquote(d[10]), newDiag: unquote(d[12]), wording: 'classic' })},
    {"name": "bfd", "symbols": ["colonName", "_", {"literal":"BFD"}, "_", {"literal":"state"}, "_", {"literal":"change:"}, "_", "bfdSession", "_", {"literal":"->"}, "_", "bfdSession"], "postprocess": (d) => ({ kind: 'bfd-state-change', iface: d[0], oldState: d[8].state, newState: d[12].state, oldDiag: d[8].diag, newDiag: d[12].diag, wording: 'rfc' })},
    {"name": "bfdTransition", "symbols": [(lexer.has("word") ? {type: "word"} : word)], "postprocess": (d, _l, r) => { const p = d[0].text.split('->'); return p.length === 2 && BFD_STATES.includes(p[0]) && BFD_STATES.includes(p[1]) ? p : r }},
    {"name": "bfdSession", "symbols": [{"literal":"(bfd.SessionState:"}, "_", "bfdStateComma", "_", {"literal":"bfd.LocalDiag:"}, "_", (lexer.has("qstr") ? {type: "qstr"} : qstr), {"literal":")"}], "postprocess": (d) => ({ state: d[2], diag: unquote(d[6]) })},
    {"name": "bfdStateComma", "symbols": [(lexer.has("word") ? {type: "word"} : word)], "postprocess": (d, _l, r) => { const s = d[0].text.slice(0, -1); return d[0].text.endsWith(',') && BFD_STATES.includes(s) ? s : r }}
  ],
  ParserStart: "line",
};

export default grammar;
