import t from 'tap'
import fc from 'fast-check'
import { toAlertRecord } from '../src/alert/alert-record.js'
import type { AlertRecord } from '../src/alert/alert-record.js'
import { ALERT_SCHEMA } from '../src/alert/schema.js'
import type { AlertSchemaNode } from '../src/alert/schema.js'
import { serializeAlert } from '../src/alert/serialize.js'
import type { Signal } from '../src/types.js'
import { exampleSignals, exampleSignalsAllStatuses, recordPaths, schemaFields } from '../scripts/alert-examples.js'

const HOSTILE = [
  'cr-lrp-"quoted"\\back\\slash',
  'line\nbreak\r\nand\ttab',
  '</script><script>alert(1)</script>',
  'sep\u2028para\u2029end',
  'lone\ud800high and \udc00low',
  'nul\u0000and\u001fbell\u0007',
  'bidi\u202eevil\u2066',
  'emoji 🚀 and ünïcödé',
  ''
]

/** The example signal with every log-supplied string replaced by `s`. */
function hostile (signal: Signal, s: string): Signal {
  const x = structuredClone(signal)
  x.key = `${x.kind}:${s}`
  switch (x.kind) {
    case 'claim-storm':
      x.lport = s
      x.handoffPairs = { [`${s}->gw1`]: 7, [`gw1->${s}`]: 6 }
      x.participants = x.participants.map((p, i) => ({ ...p, node: i === 0 ? s : p.node, chassis: s }))
      x.suspects = x.suspects.map((p) => ({ ...p, node: s, chassis: s, reasons: [s, `in every hand-off ${s}`] }))
      break
    case 'claim-load':
      x.ports = [s, `${s}-2`]
      x.nodes = [s]
      break
    case 'port-flap':
      x.lport = s
      x.node = s
      break
    case 'ofport-exhausted':
      x.node = s
      x.bridge = s
      x.iface = s
      break
    case 'ofport-leak':
      x.node = s
      x.bridge = s
      x.iface = s
      break
    case 'bfd-mass-down':
      x.node = s
      x.ifaces = [s, s]
      break
  }
  return x
}

function isWellFormed (s: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s)
}

/** Problems with `line` as one line of valid JSON that survives UTF-8 encoding and parses back to `record`. */
function lineProblems (line: string, record: AlertRecord): string[] {
  const out: string[] = []
  if (/[\u0000-\u001f]/.test(line)) out.push('raw control character (a raw newline would split the NDJSON line)')
  if (!isWellFormed(line)) out.push('lone surrogate: UTF-8 encoding would be lossy')
  if (Buffer.from(line, 'utf8').toString('utf8') !== line) out.push('UTF-8 round-trip differs')
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch (err) {
    out.push(`invalid JSON: ${String(err)}`)
  }
  if (JSON.stringify(parsed) !== JSON.stringify(record) && !sameJson(parsed, record)) out.push('parsed record differs')
  return out
}

function sameJson (a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b))
}

function sortKeys (v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (typeof v !== 'object' || v === null) return v
  return Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([k, x]) => [k, sortKeys(x)]))
}

t.test('every signal kind × every status round-trips without losing a field', async (t) => {
  const signals = exampleSignalsAllStatuses()
  t.equal(new Set(signals.map((s) => s.kind)).size, 6, 'all six kinds')
  for (const signal of signals) {
    const record = toAlertRecord(signal)
    const line = serializeAlert(record)
    const parsed = JSON.parse(line) as unknown
    t.strictSame(parsed, record, `${signal.kind} ${signal.status} ${signal.resolvedBy ?? ''}`)
    t.strictSame(recordPaths(parsed).sort(), recordPaths(record).sort(), 'same field paths')
  }
})

t.test('every schema field is produced by some signal, and every produced field is in the schema', async (t) => {
  const produced = new Set(exampleSignalsAllStatuses().flatMap((s) => recordPaths(toAlertRecord(s))))
  const declared = new Set(schemaFields().map((f) => f.path))
  t.strictSame([...declared].filter((p) => !produced.has(p)), [], 'no dead schema field')
  t.strictSame([...produced].filter((p) => !declared.has(p)), [], 'no field the serializer would drop')
})

t.test('every field with a value of its own has an example in the README table (objects are described by their fields)', async (t) => {
  const missing = schemaFields()
    .filter((f) => f.node.type !== 'object' && !(f.node.type === 'array' && f.node.items?.type === 'object'))
    .filter((f) => f.node.examples === undefined || f.node.examples.length === 0)
    .map((f) => f.path)
  t.strictSame(missing, [])
})

t.test('hostile names serialize to valid JSON and come back unchanged', async (t) => {
  for (const [i, s] of HOSTILE.entries()) {
    for (const base of exampleSignalsAllStatuses()) {
      const record = toAlertRecord(hostile(base, s))
      const line = serializeAlert(record)
      t.strictSame(lineProblems(line, record), [], `${base.kind} ${base.status}, hostile string #${i}`)
      t.strictSame(JSON.parse(line), record)
    }
  }
})

t.test('hostile names are escaped, not passed through', async (t) => {
  const [storm] = exampleSignals()
  if (storm === undefined) throw new Error('no example')
  const line = serializeAlert(toAlertRecord(hostile(storm, '</script>"\n\u0000\ud800')))
  t.match(line, /"lport":"<\/script>\\"\\n\\u0000\\ud800"/)
})

t.test('property: any UTF-16 string (lone surrogates included) in any name field round-trips', async (t) => {
  const anyUtf16 = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 }).map((codes) => String.fromCharCode(...codes))
  const kinds = exampleSignals()
  fc.assert(fc.property(anyUtf16, fc.nat({ max: kinds.length - 1 }), (s, i) => {
    const base = kinds[i]
    if (base === undefined) return false
    const record = toAlertRecord(hostile(base, s))
    const line = serializeAlert(record)
    return lineProblems(line, record).length === 0
  }), { numRuns: 300, seed: 7 })
  t.pass('300 random strings')
})

t.test('numbers the serializer would choke on are made safe first', async (t) => {
  const [storm] = exampleSignals()
  if (storm?.kind !== 'claim-storm') throw new Error('no example')
  const broken = { ...storm, claimsPerSec: Number.NaN, peakClaimsPerSec: Infinity, handoffs: 2.6, claimActs: -Infinity }
  const record = toAlertRecord(broken)
  const parsed = JSON.parse(serializeAlert(record)) as AlertRecord
  t.strictSame(parsed, record)
  t.equal(parsed.ovn.claims_per_sec, 0)
  t.equal(parsed.ovn.peak_claims_per_sec, 0)
  t.equal(parsed.ovn.handoffs, 3)
  t.equal(parsed.ovn.claim_acts, 0)
  const badTime = toAlertRecord({ ...storm, startMs: Number.NaN, lastMs: 1e20 })
  t.strictSame(JSON.parse(serializeAlert(badTime)), badTime, 'times out of Date range still serialize')
})

t.test('fields outside the schema are dropped (why the round-trip test matters)', async (t) => {
  const [storm] = exampleSignals()
  if (storm === undefined) throw new Error('no example')
  const record = toAlertRecord(storm)
  const extra = { ...record, extra: 'x', ovn: { ...record.ovn, not_in_schema: 1 } } as AlertRecord
  const parsed = JSON.parse(serializeAlert(extra)) as Record<string, unknown>
  t.notOk('extra' in parsed)
  t.notOk('not_in_schema' in (parsed['ovn'] as Record<string, unknown>))
})

t.test('the schema: frozen, documented, never unsafe', async (t) => {
  t.ok(Object.isFrozen(ALERT_SCHEMA))
  t.ok(Object.isFrozen(ALERT_SCHEMA.properties?.['ovn']?.properties))
  t.throws(() => { (ALERT_SCHEMA as { type: string }).type = 'string' })
  const walk = (node: AlertSchemaNode, path: string): void => {
    t.not(node.format, 'unsafe' as never, `${path}: no format unsafe`)
    t.ok(node.description.length > 5, `${path}: described`)
    if (node.type !== 'object' && node.type !== 'array') t.ok((node.examples?.length ?? 0) > 0, `${path}: has an example`)
    if (node.type === 'object') {
      t.equal(node.additionalProperties, false, `${path}: closed object`)
      for (const r of node.required ?? []) t.ok(node.properties?.[r], `${path}: required ${r} is declared`)
      for (const [k, v] of Object.entries(node.properties ?? {})) walk(v, `${path}.${k}`)
    }
    if (node.items !== undefined) walk(node.items, `${path}[]`)
  }
  walk(ALERT_SCHEMA, '$')
})

t.test('an enum value in a record is one the schema lists', async (t) => {
  const fields = schemaFields().filter((f) => f.node.enum !== undefined)
  for (const signal of exampleSignalsAllStatuses()) {
    const record = JSON.parse(serializeAlert(toAlertRecord(signal))) as unknown
    for (const f of fields) {
      for (const v of valuesAt(record, f.path)) t.ok(f.node.enum?.includes(v as string), `${signal.kind}: ${f.path}=${String(v)}`)
    }
  }
})

function valuesAt (value: unknown, path: string): unknown[] {
  let current: unknown[] = [value]
  for (const part of path.split('.')) {
    const name = part.endsWith('[]') ? part.slice(0, -2) : part
    const next: unknown[] = []
    for (const c of current) {
      if (typeof c !== 'object' || c === null) continue
      const v = (c as Record<string, unknown>)[name]
      if (v === undefined) continue
      if (part.endsWith('[]') && Array.isArray(v)) next.push(...(v as unknown[]))
      else next.push(v)
    }
    current = next
  }
  return current
}
