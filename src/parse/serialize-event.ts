// One JSON schema for every ParseResult kind (all events and Unparsed), compiled once with
// fast-json-stringify when this module loads. It is one flat object: a kind's absent fields are simply
// omitted. Strings are always escaped (never `format: 'unsafe'`): every text here comes from a log line.
import build from 'fast-json-stringify'
import type { ParseResult } from '../types.js'

const str = { type: 'string' } as const
const num = { type: 'number' } as const
const bool = { type: 'boolean' } as const

const SOURCE_SCHEMA = {
  type: 'object',
  required: ['wrapper'],
  properties: {
    wrapper: str,
    node: str,
    pod: str,
    namespace: str,
    container: str,
    file: str,
    stream: str,
    program: str,
    pid: num,
    wrapperTime: str,
    wrapperTimeMs: num
  }
} as const

/** Every field of every `ParseResult` kind, in output order. */
export const PARSE_RESULT_SCHEMA = {
  title: 'ParseResult',
  type: 'object',
  required: ['kind'],
  properties: {
    kind: str,
    // Unparsed
    code: str,
    // envelope
    time: { type: ['string', 'null'] },
    timeMs: { type: ['number', 'null'] },
    seq: { type: ['number', 'null'] },
    module: str,
    thread: str,
    level: str,
    // ovn-controller
    lport: str,
    additional: bool,
    virtualParent: str,
    from: str,
    to: str,
    addresses: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'value'],
        properties: { type: str, value: str, prefix: num }
      }
    },
    sbReadonly: bool,
    form: str,
    delayMs: num,
    chassis: str,
    requestedChassis: str,
    pbChassis: str,
    state: str,
    target: str,
    name: str,
    action: str,
    isVif: bool,
    // ovs-vswitchd
    bridge: str,
    iface: str,
    ofport: num,
    datapath: str,
    error: str,
    feature: str,
    oldState: str,
    newState: str,
    oldDiag: str,
    newDiag: str,
    wording: str,
    // vlog
    count: num,
    seconds: num,
    mostRecentSecondsAgo: num,
    message: str,
    continuation: { type: 'array', items: str },
    // Unparsed
    text: str,
    bytes: num,
    detail: str,
    source: SOURCE_SCHEMA
  }
} as const

const stringify = build(structuredClone(PARSE_RESULT_SCHEMA) as unknown as Parameters<typeof build>[0]) as (doc: ParseResult) => string

/** One event or Unparsed as one line of JSON (no trailing newline). */
export function serializeParseResult (result: ParseResult): string {
  return stringify(result)
}
