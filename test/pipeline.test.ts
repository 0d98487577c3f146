// The pipeline core with stand-in stages: counting, event clock, alert fan-out, shutdown flush.
// (The real parser/detector/alert chain is exercised end to end in serve-*.test.ts.)
import t from 'tap'
import { createPipeline, type DetectorLike, type PipelineStages } from '../src/pipeline.js'
import type { ParseResult, Signal, PortFlapSignal } from '../src/types.js'

function event (line: string, node: string): ParseResult {
  // `T|kind` → a vlog event at epoch ms T; anything else is unparsed
  const m = /^(\d+)\|(\S+)$/.exec(line)
  if (m === null) return { kind: 'unparsed', code: 'not-vlog', text: line, bytes: line.length, source: { wrapper: 'bare', node } }
  return { kind: 'vlog', time: null, timeMs: Number(m[1]), seq: 1, module: m[2] ?? '', level: 'INFO', message: '', source: { wrapper: 'bare', node } }
}

function flap (status: Signal['status'], t0: number, t1: number, extra: Partial<PortFlapSignal> = {}): PortFlapSignal {
  return { kind: 'port-flap', key: 'port-flap:p1', status, severity: 'warning', startMs: t0, lastMs: t1, lport: 'p1', node: 'hv2', claims: 3, releases: 3, cyclesPerSec: 1, ...extra }
}

/** Fires when it sees module `fire`; resolves `quietMs` after the last event, or at flush. */
function fakeDetector (quietMs: number): DetectorLike & { ticks: number[] } {
  let open: { start: number; last: number } | null = null
  const ticks: number[] = []
  return {
    ticks,
    push (r) {
      if (r.kind !== 'vlog' || r.timeMs === null) return []
      if (r.module === 'fire' && open === null) { open = { start: r.timeMs, last: r.timeMs }; return [flap('firing', r.timeMs, r.timeMs)] }
      if (open !== null) open.last = r.timeMs
      return []
    },
    tick (now) {
      ticks.push(now)
      if (open !== null && now - open.last >= quietMs) { const o = open; open = null; return [flap('resolved', o.start, o.last, { resolvedBy: 'quiet' })] }
      return []
    },
    flush () {
      if (open === null) return []
      const o = open; open = null
      return [flap('resolved', o.start, o.last, { resolvedBy: 'shutdown' })]
    }
  }
}

function stages (detector: DetectorLike, held: ParseResult[] = []): PipelineStages {
  return {
    parse: (rec) => {
      if (typeof rec === 'string') return [event(rec, 'n0')]
      const o = rec as { log: string; host: string }
      return [event(o.log, o.host)]
    },
    flushParse: () => held.splice(0),
    detector,
    toAlert: (s) => ({ rule: s.kind, status: s.status, by: s.resolvedBy ?? null }),
    serialize: (a) => JSON.stringify(a)
  }
}

t.test('counts records, events by kind and unparsed by code', async (t) => {
  const p = createPipeline(stages(fakeDetector(1000)))
  const alerts = p.push(['1000|binding', 'garbage', { log: '2000|fire', host: 'gw1' }], 50)
  t.equal(p.stats.records, 3)
  t.equal(p.stats.events, 2)
  t.same(p.stats.eventsByKind, { vlog: 2 })
  t.same(p.stats.unparsedByCode, { 'not-vlog': 1 })
  t.equal(alerts.length, 1)
  t.same(JSON.parse(alerts[0]?.json ?? ''), { rule: 'port-flap', status: 'firing', by: null })
  t.same(alerts[0]?.record, { rule: 'port-flap', status: 'firing', by: null }, 'object and JSON text travel together')
  t.same(p.stats.alerts, { 'port-flap|firing': 1 })
  t.same(p.stats.active, { 'port-flap': 1 })
  t.equal(p.stats.maxSeverity, 'warning')
  t.equal(p.stats.maxEventMs, 2000)
})

t.test('event clock = max event time + wall time since it was seen', async (t) => {
  const det = fakeDetector(5000)
  const p = createPipeline(stages(det))
  t.equal(p.eventClockMs(1_000_000), null, 'no clock before the first event')
  t.same(p.tick(1_000_000), [], 'no tick before the first event')
  t.same(det.ticks, [])
  p.push(['7000|fire'], 1_000_000)
  p.push(['6000|late'], 1_000_500)
  t.equal(p.eventClockMs(1_000_500), 7500, 'a late event does not re-anchor the clock')
  t.equal(p.eventClockMs(999_000), 7000, 'never behind the latest event')
  t.same(p.tick(1_003_000), [])
  const out = p.tick(1_005_000)
  t.same(det.ticks, [10_000, 12_000])
  t.equal(out.length, 1)
  t.match(out[0]?.signal, { status: 'resolved', resolvedBy: 'quiet' })
  t.same(p.stats.active, { 'port-flap': 0 })
  t.same(p.tick(1_004_000), [], 'the clock never goes back')
  t.same(det.ticks, [10_000, 12_000])
})

t.test('flush drains the parser and resolves open conditions with resolvedBy shutdown', async (t) => {
  const det = fakeDetector(60_000)
  const held: ParseResult[] = [event('9000|tail', 'gw1')]
  const p = createPipeline(stages(det, held))
  p.push([{ log: '1000|fire', host: 'gw1' }], 0)
  const out = p.flush()
  t.equal(p.stats.events, 2, 'the held-back result was counted')
  t.equal(out.length, 1)
  t.match(out[0]?.signal, { status: 'resolved', resolvedBy: 'shutdown', lastMs: 9000 })
  t.same(JSON.parse(out[0]?.json ?? ''), { rule: 'port-flap', status: 'resolved', by: 'shutdown' })
  t.same(p.flush(), [], 'nothing twice')
})

t.test('severity rank keeps the highest', async (t) => {
  const sig = (severity: Signal['severity']): Signal => ({ ...flap('firing', 1, 1), key: `k-${severity}`, severity })
  let queue: Signal[] = []
  const p = createPipeline({
    parse: () => [event('1|x', 'n')],
    detector: { push: () => queue.splice(0), tick: () => [], flush: () => [] },
    toAlert: (s) => ({ s: s.severity }),
    serialize: (a) => JSON.stringify(a)
  })
  queue = [sig('info')]; p.push(['a'], 0)
  t.equal(p.stats.maxSeverity, 'info')
  queue = [sig('critical'), sig('warning')]; p.push(['a'], 0)
  t.equal(p.stats.maxSeverity, 'critical')
  t.same(p.stats.active, { 'port-flap': 3 })
})

t.test('an alert is serialized only when its JSON is read, and once', async (t) => {
  let calls = 0
  const s = stages(fakeDetector(1000))
  const p = createPipeline({ ...s, serialize: (a) => { calls++; return JSON.stringify(a) } })
  const alerts = p.push([{ log: '2000|fire', host: 'gw1' }], 50)
  t.equal(alerts.length, 1)
  t.equal(calls, 0, 'a Forward output reads only the object')
  const first = alerts[0]?.json
  t.equal(alerts[0]?.json, first)
  t.equal(calls, 1)
  t.same(JSON.parse(first ?? ''), { rule: 'port-flap', status: 'firing', by: null })
})

t.test('parseObject, when a stage has it, takes the object records: same results, strings still through parse', async (t) => {
  const input: unknown[] = ['1000|binding', { log: '2000|fire', host: 'gw1' }, 'garbage', { log: '2500|binding', host: 'gw2' }, { log: 'junk', host: 'gw3' }]
  const plain = createPipeline(stages(fakeDetector(1000)))
  const viaObject: unknown[] = []
  const s = stages(fakeDetector(1000))
  const parse = s.parse
  const withObject = createPipeline({
    ...s,
    parse: (rec) => { if (typeof rec !== 'string') t.fail('an object record went to parse'); return parse(rec) },
    parseObject: (rec) => { viaObject.push(rec); return parse(rec)[0] as ParseResult }
  })
  const a = plain.push(input, 10).map((x) => x.record)
  const b = withObject.push(input, 10).map((x) => x.record)
  t.strictSame(b, a)
  t.strictSame(withObject.stats, plain.stats)
  t.strictSame(viaObject, input.filter((r) => typeof r !== 'string'), 'each object record once, in order')
  t.strictSame(withObject.flush().map((x) => x.record), plain.flush().map((x) => x.record))
})
