// Detector throughput (events/s through push) against parse-only throughput of the same lines (parseVlog),
// both measured in the same process, with that process's peak RSS. Each phase runs in a child process of its
// own (same node flags), so a peak RSS belongs to one phase only and not to whatever ran before it:
//   detect-flood-rss  1 M distinct ports pushed as events built without the parser: the detector's peak RSS
//                     (value, MB) against node + tsx alone (baseline, MB, taken at the start of that process)
//   detect-flood      the same flood as vlog lines, parse and push timed chunk by chunk over the same lines
//   detect-storm      100 % claim-storm replay (bench/lib/corpus.ts), claimers attributed by `… to <chassis>`
// Target: push ≥ 5 × parse (detection costs < 20 % of parsing), RSS < 150 MB with 1 M ports.
//
//   node --expose-gc --import tsx bench/detect.bench.ts [--lines N (storm, 300 000)] [--ports N (flood, 1 000 000)]
//   (--phase flood-rss|flood|storm runs one phase in this process)
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { generateCorpus } from './lib/corpus.js'
import { parseVlog } from '../src/parse/vlog.js'
import { createDetector } from '../src/detect/detector.js'
import type { ParseResult, Source } from '../src/types.js'

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name)
  return i === -1 ? dflt : Number(process.argv[i + 1])
}
const LINES = arg('--lines', 300_000)
const PORTS = arg('--ports', 1_000_000)
const ROUNDS = 5
const T0 = Date.UTC(2026, 0, 1)

const rssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024)
const figures: object[] = []
const RSS_AT_START = rssMB()
function report (bench: string, value: number, baseline: number, extra: object = {}): void {
  figures.push({ bench, value: Math.round(value), unit: 'events/s', baseline: Math.round(baseline), ratio: Math.round(value / baseline * 1000) / 1000, rssMB: rssMB(), ...extra })
}
function gcNow (): void { (globalThis as { gc?: () => void }).gc?.() }
function seconds (t0: bigint): number { return Number(process.hrtime.bigint() - t0) / 1e9 }

// ---- flood: lines made and parsed a chunk at a time, so neither the corpus nor the events sit in memory ------

const floodLine = (i: number): string =>
  `${new Date(T0 + i).toISOString()}|${String(i + 1).padStart(5, '0')}|binding|INFO|Claiming lport cr-lrp-${String(i).padStart(8, '0')}-0000-4000-8000-000000000000 for this chassis.`
const FLOOD_SOURCE: Source = { wrapper: 'bare', node: 'gw1' }
const CHUNK = 1000

/**
 * The flood with events built directly (no parser), alone in its process: the peak RSS is the detector's own
 * plus node/tsx and the events' own garbage, not the parser's.
 */
function floodRss (): void {
  const d = createDetector()
  let sink = 0
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < PORTS; i++) {
    const lport = `cr-lrp-${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`
    sink += d.push({ kind: 'lport-claim', lport, additional: false, time: null, timeMs: T0 + i, seq: i + 1, module: 'binding', level: 'INFO', message: `Claiming lport ${lport} for this chassis.`, source: FLOOD_SOURCE }).length
  }
  const pushRate = PORTS / seconds(t0)
  const snap = d.snapshot()
  if (snap.stats.used !== PORTS) throw new Error(`pushed ${snap.stats.used} of ${PORTS}`)
  const rss = rssMB()
  gcNow()
  figures.push({
    bench: 'detect-flood-rss', value: rss, unit: 'MB', baseline: RSS_AT_START, ratio: Math.round(rss / RSS_AT_START * 1000) / 1000, rssMB: rss,
    events: PORTS, trackedPorts: snap.trackedPorts, evictedPorts: snap.stats.evictions.ports, signals: sink,
    pushEventsPerSec: Math.round(pushRate), heapAfterGcMB: Math.round(process.memoryUsage().heapUsed / 1048576),
    baselineIs: 'peak RSS of node + tsx at the start of this process'
  })
}

function flood (): void {
  // Per chunk: time parseVlog over its lines, then time push over the resulting events; both sums are
  // taken over the same lines in the same pass, so machine load hits both alike.
  const d = createDetector()
  let parseS = 0
  let pushS = 0
  let sink = 0
  const lines: string[] = new Array<string>(CHUNK)
  const events: ParseResult[] = new Array<ParseResult>(CHUNK)
  for (let base = 0; base < PORTS; base += CHUNK) {
    const n = Math.min(CHUNK, PORTS - base)
    for (let i = 0; i < n; i++) lines[i] = floodLine(base + i)
    let t0 = process.hrtime.bigint()
    for (let i = 0; i < n; i++) events[i] = parseVlog(lines[i] as string, FLOOD_SOURCE)
    parseS += seconds(t0)
    t0 = process.hrtime.bigint()
    for (let i = 0; i < n; i++) sink += d.push(events[i] as ParseResult).length
    pushS += seconds(t0)
  }
  const snap = d.snapshot()
  if (snap.stats.used !== PORTS) throw new Error(`pushed ${snap.stats.used} of ${PORTS}`)
  const rss = rssMB()
  gcNow()
  const heapMB = Math.round(process.memoryUsage().heapUsed / 1048576)
  report('detect-flood', PORTS / pushS, PORTS / parseS, {
    events: PORTS, distinctPorts: PORTS, trackedPorts: snap.trackedPorts, evictedPorts: snap.stats.evictions.ports,
    signals: sink, heapAfterGcMB: heapMB, rssMB: rss, rssNodeBaselineMB: RSS_AT_START, baselineIs: 'parseVlog of the same lines'
  })
}

// ---- storm replay ----------------------------------------------------------------------------------------

function storm (): void {
  const { lines } = generateCorpus({ kind: 'storm', lines: LINES })
  const base: Source = { wrapper: 'bare', node: 'gw1' }
  // Attribute each act to its claimer: `Changing chassis … to <me>` names it; the lines that follow are its own.
  const results: ParseResult[] = []
  let node = 'gw1'
  for (const l of lines) {
    const e = parseVlog(l, base)
    if (e.kind === 'lport-chassis-change') node = e.to
    results.push(e.kind === 'unparsed' ? e : { ...e, source: { wrapper: 'bare', node } })
  }
  let parseRate = 0
  let pushRate = 0
  let signals = 0
  // Parse and push rounds alternate so both see the same machine load.
  for (let r = 0; r < ROUNDS; r++) {
    gcNow()
    let t0 = process.hrtime.bigint()
    let sink = 0
    for (const l of lines) sink += parseVlog(l, base).kind.length
    if (sink === 0) throw new Error('nothing parsed')
    parseRate = Math.max(parseRate, lines.length / seconds(t0))
    gcNow()
    const d = createDetector()
    t0 = process.hrtime.bigint()
    let n = 0
    for (const e of results) n += d.push(e).length
    pushRate = Math.max(pushRate, results.length / seconds(t0))
    signals = n + d.flush().length
  }
  report('detect-storm', pushRate, parseRate, { events: results.length, signals, baselineIs: 'parseVlog of the same lines' })
}

const PHASES: Record<string, () => void> = { 'flood-rss': floodRss, flood, storm }
const phaseAt = process.argv.indexOf('--phase')
if (phaseAt !== -1) {
  const phase = PHASES[process.argv[phaseAt + 1] ?? '']
  if (phase === undefined) throw new Error(`unknown phase ${process.argv[phaseAt + 1]}; one of ${Object.keys(PHASES).join(', ')}`)
  phase()
  for (const f of figures) process.stdout.write(JSON.stringify(f) + '\n')
} else {
  for (const name of Object.keys(PHASES)) {
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2), '--phase', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    if (child.status !== 0) throw new Error(`phase ${name} failed (${child.status ?? child.signal})`)
    process.stdout.write(child.stdout)
  }
}
