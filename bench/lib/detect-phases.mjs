// The detector's throughput phases (bench/detect.bench.ts runs them), as a plain ES module: the same code
// measures the JavaScript the package ships (dist/, under plain node: the headline figures) and the
// TypeScript sources (under tsx, for comparison with figures taken before). Parse and push are timed in
// the same process over the same lines, so the ratio is the figure; the modules under test come in as
// paths, the storm corpus as a file of lines made by the parent.
//
//   node --expose-gc bench/lib/detect-phases.mjs PHASE PARSER_MODULE DETECTOR_MODULE [--ports N] [--corpus FILE]
//   PHASE: flood | storm | storm-steady; prints one JSON object
//
// Beside push, flood and storm time a floor (`floorValue`): the same events through less than any detector must do
// for a claim act (createFloor below): read the event, find the port's record by name, write the act into it.
import { readFileSync } from 'node:fs'

const [phase, parserPath, detectorPath] = process.argv.slice(2)
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i === -1 ? dflt : process.argv[i + 1] }
const { parseVlog } = await import(parserPath)
const { createDetector } = await import(detectorPath)

const ROUNDS = 5
const T0 = Date.UTC(2026, 0, 1)
const CHUNK = 1000
const gcNow = () => { globalThis.gc?.() }
const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9

/**
 * The floor: per claim act, the checks push makes first (kind, event time against the watermark), the port's
 * record found by name in a Map (the engine hashes the name natively: the least any per-port state costs), the
 * act's time and claimer written into it. It keeps less than any detector must: one act per port, no history, no
 * eviction (ports past the detector's maxTrackedPorts are looked up but not kept), no dedupe, no rule, no signal.
 * So its ratio to parse bounds what any detector could reach on these events. Lateness and bound: the detector's.
 */
function createFloor ({ allowedLatenessMs, maxTrackedPorts }) {
  const ports = new Map()
  let watermark = -Infinity
  return (events, n) => {
    let acts = 0
    for (let i = 0; i < n; i++) {
      const e = events[i]
      if (e.kind !== 'lport-claim' && e.kind !== 'lport-chassis-change') continue
      const t = e.timeMs
      if (t < watermark - allowedLatenessMs) continue
      if (t > watermark) watermark = t
      const p = ports.get(e.lport)
      if (p !== undefined) { p.t = t; p.node = e.source.node } else if (ports.size < maxTrackedPorts) ports.set(e.lport, { t, node: e.source.node })
      acts++
    }
    return acts
  }
}

/**
 * Per chunk of lines: parse timed, then push of those events timed (each sees what the other just touched), then
 * the floor over a second, untimed parse of the chunk (fresh strings, as push had: a string caches its hash).
 */
function flood () {
  const PORTS = Number(arg('--ports', 1_000_000))
  const source = { wrapper: 'bare', node: 'gw1' }
  const floodLine = (i) =>
    `${new Date(T0 + i).toISOString()}|${String(i + 1).padStart(5, '0')}|binding|INFO|Claiming lport cr-lrp-${String(i).padStart(8, '0')}-0000-4000-8000-000000000000 for this chassis.`
  const d = createDetector()
  const floorPush = createFloor(d.options)
  let parseS = 0
  let pushS = 0
  let floorS = 0
  let floorActs = 0
  let signals = 0
  const lines = new Array(CHUNK)
  const events = new Array(CHUNK)
  const again = new Array(CHUNK)
  for (let base = 0; base < PORTS; base += CHUNK) {
    const n = Math.min(CHUNK, PORTS - base)
    for (let i = 0; i < n; i++) lines[i] = floodLine(base + i)
    let t0 = process.hrtime.bigint()
    for (let i = 0; i < n; i++) events[i] = parseVlog(lines[i], source)
    parseS += seconds(t0)
    t0 = process.hrtime.bigint()
    for (let i = 0; i < n; i++) signals += d.push(events[i]).length
    pushS += seconds(t0)
    for (let i = 0; i < n; i++) again[i] = parseVlog(lines[i], source)
    t0 = process.hrtime.bigint()
    floorActs += floorPush(again, n)
    floorS += seconds(t0)
  }
  if (floorActs !== PORTS) throw new Error(`floor saw ${floorActs} of ${PORTS} acts`)
  const snap = d.snapshot()
  if (snap.stats.used !== PORTS) throw new Error(`pushed ${snap.stats.used} of ${PORTS}`)
  gcNow()
  return {
    value: PORTS / pushS, baseline: PORTS / parseS, floorValue: PORTS / floorS, events: PORTS, distinctPorts: PORTS, trackedPorts: snap.trackedPorts,
    evictedPorts: snap.stats.evictions.ports, signals, heapAfterGcMB: Math.round(process.memoryUsage().heapUsed / 1048576)
  }
}

/** The storm corpus parsed, each act attributed to its claimer (`Changing chassis … to <me>` names it). */
function stormReplay () {
  const lines = readFileSync(arg('--corpus', ''), 'utf8').split('\n')
  const base = { wrapper: 'bare', node: 'gw1' }
  const results = []
  let node = 'gw1'
  for (const l of lines) {
    const e = parseVlog(l, base)
    if (e.kind === 'lport-chassis-change') node = e.to
    results.push(e.kind === 'unparsed' ? e : { ...e, source: { wrapper: 'bare', node } })
  }
  return { lines, results, base }
}

function parseRound (lines, base) {
  const t0 = process.hrtime.bigint()
  let sink = 0
  for (const l of lines) sink += parseVlog(l, base).kind.length
  if (sink === 0) throw new Error('nothing parsed')
  return lines.length / seconds(t0)
}

/**
 * A fresh detector per round, after a forced GC; parse, push and floor rounds alternate so all see the same load.
 * The floor starts afresh each round too.
 */
function storm () {
  const { lines, results, base } = stormReplay()
  let parseRate = 0
  let pushRate = 0
  let floorRate = 0
  let signals = 0
  for (let r = 0; r < ROUNDS; r++) {
    gcNow()
    parseRate = Math.max(parseRate, parseRound(lines, base))
    gcNow()
    const d = createDetector()
    const t0 = process.hrtime.bigint()
    let n = 0
    for (const e of results) n += d.push(e).length
    pushRate = Math.max(pushRate, results.length / seconds(t0))
    signals = n + d.flush().length
    gcNow()
    const floorPush = createFloor(d.options)
    const t1 = process.hrtime.bigint()
    const acts = floorPush(results, results.length)
    floorRate = Math.max(floorRate, results.length / seconds(t1))
    if (acts === 0) throw new Error('the floor saw no claim act')
  }
  return { value: pushRate, baseline: parseRate, floorValue: floorRate, events: results.length, signals }
}

/** The same replay into one detector that keeps running, as in serve: round r is the corpus r spans later. */
function stormSteady () {
  const { lines, results, base } = stormReplay()
  let first = Infinity
  let last = -Infinity
  for (const e of results) {
    if (e.kind === 'unparsed' || e.timeMs === null) continue
    if (e.timeMs < first) first = e.timeMs
    if (e.timeMs > last) last = e.timeMs
  }
  const span = last - first + 60_000
  const copies = Array.from({ length: ROUNDS + 1 }, (_, r) => results.map((e) => e.kind === 'unparsed' || e.timeMs === null
    ? e
    : { ...e, timeMs: e.timeMs + r * span, seq: e.seq === null ? null : e.seq + r * 10_000_000 }))
  const d = createDetector()
  let parseRate = 0
  let pushRate = 0
  let signals = 0
  for (const e of copies[0]) signals += d.push(e).length // first round untimed: warms the detector up
  for (let r = 1; r <= ROUNDS; r++) {
    parseRate = Math.max(parseRate, parseRound(lines, base))
    const t0 = process.hrtime.bigint()
    for (const e of copies[r]) signals += d.push(e).length
    pushRate = Math.max(pushRate, results.length / seconds(t0))
  }
  signals += d.flush().length
  return { value: pushRate, baseline: parseRate, events: results.length, rounds: ROUNDS, signals }
}

const PHASES = { flood, storm, 'storm-steady': stormSteady }
const run = PHASES[phase]
if (run === undefined) throw new Error(`unknown phase ${phase}; one of ${Object.keys(PHASES).join(', ')}`)
process.stdout.write(JSON.stringify({ ...run(), rssMB: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n')
