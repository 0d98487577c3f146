// The record skim against the record parser: a Fluent Bit record the Forward decoder hands over as a
// SkimmedLine must be one createRecordParser (same options) reads as an ignored `vlog` event with the same
// time; every other record must decode exactly as without the skim; and a pipeline fed either way ends with
// the same counts and the same alerts.
import t, { type Test } from 'tap'
import fc from 'fast-check'
import { Encoder } from '@msgpack/msgpack'
import { decodePackedEntries, EventTimeValue, eventTimeCodec } from '../src/adapters/forward/decode.js'
import { createRecordSkim, SkimmedLine } from '../src/parse/record-skim.js'
import { createRecordParser } from '../src/parse/unwrap.js'
import { createPipeline } from '../src/pipeline.js'
import { createDefaultStages } from '../src/adapters/stages.js'
import { mergeConfig } from '../src/adapters/config.js'
import type { ForwardEntry } from '../src/adapters/forward/types.js'
import { labLogs, labScenarios } from './helpers/fixtures.js'

const enc = new Encoder({ extensionCodec: eventTimeCodec })
const skim = createRecordSkim()
const parse = createRecordParser()

/** One PackedForward payload: `[time, record]` entries back to back; a record given as bytes is used as is. */
function payload (records: ReadonlyArray<Record<string, unknown> | Uint8Array>): Buffer {
  const parts: Uint8Array[] = []
  for (const r of records) {
    parts.push(Uint8Array.from([0x92]))
    parts.push(enc.encode(new EventTimeValue(1725554334, 711000000)))
    parts.push(r instanceof Uint8Array ? r : enc.encode(r))
  }
  return Buffer.concat(parts)
}

/** A map written key by key (duplicate keys, any order): the encoder of a JS object cannot make those. */
function rawMap (pairs: ReadonlyArray<[string, unknown]>): Uint8Array {
  return Buffer.concat([Uint8Array.from([0x80 | pairs.length]), ...pairs.flatMap(([k, v]) => [enc.encode(k), enc.encode(v)])])
}

function decodeBoth (bytes: Buffer): { plain: ForwardEntry[], skimmed: ForwardEntry[] } {
  const a = decodePackedEntries(bytes, { maxEntriesPerFrame: 1_000_000, shareRepeatedMaps: true })
  const b = decodePackedEntries(bytes, { maxEntriesPerFrame: 1_000_000, shareRepeatedMaps: true, skimRecords: skim })
  if (!a.ok || !b.ok) throw new Error('test payload did not decode')
  return { plain: a.entries, skimmed: b.entries }
}

/** Checks entry by entry; returns how many were skimmed. */
function agree (t: Test, bytes: Buffer, what: string): number {
  const { plain, skimmed } = decodeBoth(bytes)
  t.equal(skimmed.length, plain.length, `${what}: as many entries`)
  let n = 0
  for (let i = 0; i < plain.length; i++) {
    const p = plain[i] as ForwardEntry
    const s = skimmed[i] as ForwardEntry
    if (s.skimmed === undefined) {
      if (JSON.stringify(s) !== JSON.stringify(p)) t.strictSame(s, p, `${what} #${i}: not skimmed, decoded as without the skim`)
      continue
    }
    n++
    const r = parse(p.record)
    const ok = s.skimmed instanceof SkimmedLine && r.kind === 'vlog' && r.module !== 'bfd' && r.timeMs === s.skimmed.timeMs && s.timeMs === p.timeMs
    if (!ok) t.fail(`${what} #${i}: skimmed, but the record parser reads ${JSON.stringify(r).slice(0, 300)} (skim time ${s.skimmed.timeMs})`, { record: p.record })
  }
  return n
}

const k8s = (host: string): Record<string, unknown> => ({ pod_name: `ovs-ovn-${host}`, namespace_name: 'kube-system', host, container_name: 'openvswitch' })
const record = (log: unknown, host = 'gw1'): Record<string, unknown> => ({ log, stream: 'stdout', kubernetes: k8s(host) })

const labLines: string[] = []
for (const scenario of labScenarios('sample')) {
  for (const l of labLogs('sample', scenario)) labLines.push(...l.lines)
}

t.test('every lab line, as Fluent Bit sends it: skimmed only where the parser makes an ignored event', async (t) => {
  const bytes = payload(labLines.map((l, i) => record(`${l}\n`, ['gw1', 'hv2'][i % 2])))
  const n = agree(t, bytes, 'lab')
  // the skim must take nearly every record the parser makes an ignored event of (a few, like a bare
  // continuation-less `bridge` line, it leaves to the parser)
  let ignored = 0
  for (const l of labLines) {
    const r = parse(record(l))
    if (r.kind === 'vlog' && r.module !== 'bfd') ignored++
  }
  t.ok(n >= ignored * 0.9 && n <= ignored, `skimmed ${n} of the ${ignored} ignored-event records (${labLines.length} lines)`)
})

t.test('edge cases of the line and of the record', async (t) => {
  const noise = '2024-09-05T16:38:54.711Z|19953|poll_loop|INFO|wakeup due to [POLLIN] on fd 12 (<->/var/run/openvswitch/db.sock) at lib/stream-fd.c:157 (101% CPU usage)'
  const cases: Array<[string, Record<string, unknown> | Uint8Array, boolean]> = [
    ['plain noise', record(noise), true],
    ['trailing LF', record(`${noise}\n`), true],
    ['trailing CRLF', record(`${noise}\r\n`), true],
    ['two LFs', record(`${noise}\n\n`), false],
    ['BOM', record(`\ufeff${noise}`), false],
    ['control character', record(noise.replace('wakeup', 'wake\u0001up')), false],
    ['NUL', record(`${noise}\u0000`), false],
    ['non-ASCII', record(noise.replace('wakeup', 'wäkeup')), true],
    ['bfd module', record(noise.replace('poll_loop', 'bfd')), false],
    ['bfd Dropped', record('2024-09-05T16:38:54.711Z|00020|bfd(handler1)|INFO|Dropped 57 log messages in last 59 seconds (most recently, 1 seconds ago) due to excessive rate'), false],
    ['claim', record('2024-09-05T16:38:54.711Z|19953|binding|INFO|Claiming lport cr-lrp-5 for this chassis.'), false],
    ['bad date', record(noise.replace('09-05', '02-30')), false],
    ['hour 24', record(noise.replace('T16', 'T24')), false],
    ['no ms', record(noise.replace('.711Z', 'Z')), true],
    ['ovs| prefix', record('ovs|00001|poll_loop|INFO|wakeup'), false],
    ['long line', record(noise + 'x'.repeat(70_000)), true],
    ['line past maxLineBytes', record(noise + 'x'.repeat(1024 * 1024)), false],
    ['MESSAGE beside', { ...record(noise), MESSAGE: noise }, false],
    ['no kubernetes', { log: noise, stream: 'stdout' }, false],
    ['kubernetes a string', { log: noise, kubernetes: 'gw1' }, false],
    ['kubernetes an array', { log: noise, kubernetes: ['gw1'] }, false],
    ['log a number', record(42), false],
    ['log binary', record(Buffer.from(noise)), false],
    ['kubernetes first', rawMap([['kubernetes', k8s('gw1')], ['log', noise]]), true],
    ['duplicate log', rawMap([['log', noise], ['log', 'other'], ['kubernetes', k8s('gw1')]]), false],
    ['duplicate log, claim second', rawMap([['log', noise], ['kubernetes', k8s('gw1')], ['log', '2024-09-05T16:38:54.711Z|19953|binding|INFO|Claiming lport cr-lrp-5 for this chassis.']]), false],
    ['CRI line in log', record(`2024-09-05T16:38:54.711111111Z stdout F ${noise}`), false]
  ]
  for (const [what, rec, want] of cases) {
    const { skimmed } = decodeBoth(payload([rec]))
    t.equal(skimmed[0]?.skimmed !== undefined, want, `${what}: ${want ? '' : 'not '}skimmed`)
    agree(t, payload([rec]), what)
  }
})

t.test('random mutations of lab lines and records', async (t) => {
  const mutate = fc.oneof(
    fc.constant((l: string) => l),
    fc.constant((l: string) => `${l}\r\n`),
    fc.tuple(fc.nat(), fc.string({ unit: 'binary', maxLength: 4 })).map(([at, s]) => (l: string) => l.slice(0, at % (l.length + 1)) + s + l.slice(at % (l.length + 1))),
    fc.nat().map((at) => (l: string) => l.slice(0, at % (l.length + 1))),
    fc.tuple(fc.nat(), fc.nat({ max: 9 })).map(([at, d]) => (l: string) => { const i = at % Math.min(24, l.length + 1); return l.slice(0, i) + String(d) + l.slice(i + 1) })
  )
  const shape = fc.constantFrom<(log: string) => Record<string, unknown> | Uint8Array>(
    (log) => record(log),
    (log) => ({ log, kubernetes: k8s('hv1') }),
    (log) => ({ log, stream: 'stderr', kubernetes: {} }),
    (log) => ({ log, kubernetes: k8s('gw2'), time: '2024-09-05T16:38:54.711111111Z' }),
    (log) => rawMap([['kubernetes', k8s('gw3')], ['stream', 'stdout'], ['log', log]]),
    (log) => ({ log, kubernetes: null }),
    (log) => ({ log, MESSAGE: log, kubernetes: k8s('gw1') })
  )
  let skimmed = 0
  fc.assert(fc.property(fc.array(fc.tuple(fc.nat(labLines.length - 1), mutate, shape), { minLength: 1, maxLength: 20 }), (picks) => {
    const recs = picks.map(([i, m, s]) => s(m(labLines[i] ?? '')))
    skimmed += agree(t, payload(recs), 'mutated')
  }), { numRuns: 300 })
  t.ok(skimmed > 0, `some mutated records were skimmed (${skimmed})`)
})

t.test('a pipeline fed skimmed entries ends as one fed decoded records', async (t) => {
  const run = (withSkim: boolean): { stats: unknown, alerts: string[] } => {
    const p = createPipeline(createDefaultStages(mergeConfig({ in: ['-'], out: ['-'] })))
    const alerts: string[] = []
    for (const scenario of labScenarios('sample')) {
      for (const log of labLogs('sample', scenario)) {
        const bytes = payload(log.lines.map((l) => record(`${l}\n`, log.node)))
        const r = decodePackedEntries(bytes, { maxEntriesPerFrame: 100_000, shareRepeatedMaps: true, skimRecords: withSkim ? skim : null })
        if (!r.ok) throw new Error('decode')
        for (const a of p.push(r.entries.map((e) => e.skimmed ?? e.record), 0)) alerts.push(a.json)
      }
    }
    for (const a of p.flush()) alerts.push(a.json)
    return { stats: p.stats, alerts }
  }
  const a = run(false)
  const b = run(true)
  t.ok(a.alerts.length > 0, `the lab sample raises alerts (${a.alerts.length})`)
  t.strictSame(b.alerts, a.alerts, 'the same alerts')
  t.strictSame(b.stats, a.stats, 'the same counts')
})

t.test('no skim for a parser reading another key or a forced wrapper', async (t) => {
  t.equal(createRecordSkim({ messageKey: 'message' }), null)
  t.equal(createRecordSkim({ wrapper: 'bare' }), null)
  t.not(createRecordSkim({ messageKey: 'log', wrapper: 'auto' }), null)
})
