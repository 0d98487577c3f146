// Detector throughput (events/s through push) against parse-only throughput of the same lines (parseVlog),
// both measured in the same process, with that process's peak RSS. Each phase runs in a child process of its
// own, so a peak RSS belongs to one phase only and not to whatever ran before it:
//   detect-flood-rss  1 M distinct ports pushed as events built without the parser, in a plain `node` process
//                     running the detector compiled to JS (as the package ships it): that process's peak RSS
//                     (value, MB) against its RSS before loading the detector (baseline). The same run under
//                     tsx is reported beside it (rssUnderTsxMB): tsx alone adds ~35 MB to a process.
//                     With the default bound (maxTrackedPorts 10 000) almost all of the 1 M ports are evicted.
//   detect-flood-rss-tracked  the same flood with maxTrackedPorts 1 000 000, so every port stays tracked:
//                     the detector's real cost per tracked port (retainedMB: heap plus external memory — the
//                     packed one-act ports' typed arrays — after GC, over the same before the detector).
//   detect-flood      the same flood as vlog lines, parse and push timed chunk by chunk over the same lines
//   detect-storm      100 % claim-storm replay (bench/lib/corpus.ts), claimers attributed by `… to <chassis>`,
//                     a fresh detector per round (after a forced GC, as the parse rounds)
//   detect-storm-steady  the same replay into one detector that keeps running, as `serve` does: each round
//                     feeds the next copy of the corpus, shifted a span of event time later (serials too)
// The three throughput phases (bench/lib/detect-phases.mjs) measure the package as it ships: dist/ (built by
// `npm run bench`) under plain node, parser and detector alike, with the storm corpus read from a file made
// here (not generated in the measuring process). The same phase over the TypeScript sources under tsx is
// reported beside each (`sourcesUnderTsx`), as figures before 2026-12-07 were taken.
//   detect-flood-floor, detect-storm-floor  the same events, in the same run, through less than any detector
//                     must do (read the event, find its port's record by name, write the act): its ratio to parse
//                     is the most any detector could reach; pushOfFloor is push's share of it
// Target: push ≥ 5 × parse (detection costs < 20 % of parsing), RSS < 150 MB with 1 M ports.
//
//   node --expose-gc --import tsx bench/detect.bench.ts [--lines N (storm, 300 000)] [--ports N (flood, 1 000 000)]
//   (--phase flood-rss|flood|storm runs one phase in this process)
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateCorpus } from './lib/corpus.js'

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name)
  return i === -1 ? dflt : Number(process.argv[i + 1])
}
const LINES = arg('--lines', 300_000)
const PORTS = arg('--ports', 1_000_000)
const T0 = Date.UTC(2026, 0, 1)

const rssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024)
const figures: object[] = []
// The push-only flood, as a plain ES module so the same code runs under plain node (compiled detector) and tsx
// (TypeScript source): argv = detector module path, ports.
const FLOOD_RSS_RUNNER = `
const rssMB = () => Math.round(process.resourceUsage().maxRSS / 1024)
const rssAtStart = rssMB()
const { createDetector } = await import(process.argv[2])
globalThis.gc?.()
const mem0 = process.memoryUsage()
const PORTS = Number(process.argv[3])
const T0 = ${T0}
const source = { wrapper: 'bare', node: 'gw1' }
const d = createDetector(process.argv[4] === undefined ? {} : { maxTrackedPorts: Number(process.argv[4]) })
let signals = 0
const t0 = process.hrtime.bigint()
for (let i = 0; i < PORTS; i++) {
  const lport = \`cr-lrp-\${String(i).padStart(8, '0')}-0000-4000-8000-000000000000\`
  signals += d.push({ kind: 'lport-claim', lport, additional: false, time: null, timeMs: T0 + i, seq: i + 1, module: 'binding', level: 'INFO', message: \`Claiming lport \${lport} for this chassis.\`, source }).length
}
const pushS = Number(process.hrtime.bigint() - t0) / 1e9
const snap = d.snapshot()
if (snap.stats.used !== PORTS) throw new Error('pushed ' + snap.stats.used + ' of ' + PORTS)
const rss = rssMB()
globalThis.gc?.()
const mem1 = process.memoryUsage()
// Heap plus memory outside it (the typed arrays of packed ports), after GC, over the same before the detector.
const retainedBytes = mem1.heapUsed + mem1.external - mem0.heapUsed - mem0.external
process.stdout.write(JSON.stringify({ rssMB: rss, rssAtStartMB: rssAtStart, heapAfterGcMB: Math.round(mem1.heapUsed / 1048576), retainedMB: Math.round(retainedBytes / 1048576),
  bytesPerTrackedPort: Math.round(retainedBytes / Math.max(1, snap.trackedPorts)),
  pushEventsPerSec: Math.round(PORTS / pushS), trackedPorts: snap.trackedPorts, evictedPorts: snap.stats.evictions.ports, signals }) + '\\n')
`

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

/** src/detect and what it imports at run time, type-stripped to ES modules under `dir` (tsconfig's options). */
function compileDetector (dir: string): string {
  // Loaded here only: TypeScript is big, and the other phases' peak RSS must not carry it.
  const ts = createRequire(import.meta.url)('typescript') as typeof import('typescript')
  const files = [...readdirSync(join(ROOT, 'src/detect')).filter((f) => f.endsWith('.ts')).map((f) => `src/detect/${f}`), 'src/errors.ts']
  for (const f of files) {
    const out = ts.transpileModule(readFileSync(join(ROOT, f), 'utf8'), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true } })
    mkdirSync(dirname(join(dir, f)), { recursive: true })
    writeFileSync(join(dir, f.replace(/\.ts$/, '.js')), out.outputText)
  }
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}')
  return join(dir, 'src/detect/detector.js')
}

function runFloodRss (runner: string, nodeArgs: string[], detector: string, maxTrackedPorts?: number): Record<string, number> {
  const child = spawnSync(process.execPath, [...nodeArgs, runner, detector, String(PORTS), ...(maxTrackedPorts === undefined ? [] : [String(maxTrackedPorts)])], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  if (child.status !== 0) throw new Error(`flood-rss child failed (${child.status ?? child.signal})`)
  return JSON.parse(child.stdout) as Record<string, number>
}

/** The flood with events built directly (no parser): the peak RSS is the detector's own plus node's. */
function floodRss (): void {
  const dir = mkdtempSync(join(tmpdir(), 'claimstorm-bench-'))
  try {
    const runner = join(dir, 'flood-rss.mjs')
    writeFileSync(runner, FLOOD_RSS_RUNNER)
    const compiled = compileDetector(dir)
    const plain = runFloodRss(runner, ['--expose-gc'], compiled)
    const tracked = runFloodRss(runner, ['--expose-gc'], compiled, PORTS)
    const underTsx = runFloodRss(runner, ['--expose-gc', '--import', 'tsx'], join(ROOT, 'src/detect/detector.ts'))
    const rss = plain['rssMB'] as number
    const base = plain['rssAtStartMB'] as number
    figures.push({
      bench: 'detect-flood-rss', value: rss, unit: 'MB', baseline: base, ratio: Math.round(rss / base * 1000) / 1000, rssMB: rss,
      events: PORTS, trackedPorts: plain['trackedPorts'], evictedPorts: plain['evictedPorts'], signals: plain['signals'],
      pushEventsPerSec: plain['pushEventsPerSec'], heapAfterGcMB: plain['heapAfterGcMB'],
      rssUnderTsxMB: underTsx['rssMB'], rssAtStartUnderTsxMB: underTsx['rssAtStartMB'],
      baselineIs: 'peak RSS of the same plain node process before it loaded the detector'
    })
    const trss = tracked['rssMB'] as number
    const tbase = tracked['rssAtStartMB'] as number
    figures.push({
      bench: 'detect-flood-rss-tracked', value: trss, unit: 'MB', baseline: tbase, ratio: Math.round(trss / tbase * 1000) / 1000, rssMB: trss,
      events: PORTS, maxTrackedPorts: PORTS, trackedPorts: tracked['trackedPorts'], evictedPorts: tracked['evictedPorts'],
      pushEventsPerSec: tracked['pushEventsPerSec'], heapAfterGcMB: tracked['heapAfterGcMB'],
      retainedMB: tracked['retainedMB'], bytesPerTrackedPort: tracked['bytesPerTrackedPort'],
      baselineIs: 'peak RSS of the same plain node process before it loaded the detector'
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The throughput phases (bench/lib/detect-phases.mjs) on the shipped build and on the sources under tsx. */
function throughput (phase: 'flood' | 'storm' | 'storm-steady', bench: string, corpus: string | null, extra: object): void {
  const runner = join(ROOT, 'bench/lib/detect-phases.mjs')
  const args = [...(corpus === null ? ['--ports', String(PORTS)] : ['--corpus', corpus])]
  const run = (nodeArgs: string[], parser: string, detector: string): Record<string, number> => {
    const child = spawnSync(process.execPath, [...nodeArgs, runner, phase, parser, detector, ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    if (child.status !== 0) throw new Error(`${phase} child failed (${child.status ?? child.signal})`)
    return JSON.parse(child.stdout) as Record<string, number>
  }
  const dist = join(ROOT, 'dist')
  if (!existsSync(join(dist, 'detect/detector.js'))) throw new Error('dist/ is missing: run `npm run build` (npm run bench does)')
  const shipped = run(['--expose-gc'], join(dist, 'parse/vlog.js'), join(dist, 'detect/detector.js'))
  const tsx = run(['--expose-gc', '--import', 'tsx'], join(ROOT, 'src/parse/vlog.ts'), join(ROOT, 'src/detect/detector.ts'))
  const { value, baseline, rssMB, floorValue, ...rest } = shipped as Record<string, number>
  const ratio = (a: number, b: number): number => Math.round(a / b * 1000) / 1000
  figures.push({
    bench, value: Math.round(value as number), unit: 'events/s', baseline: Math.round(baseline as number), ratio: ratio(value as number, baseline as number), rssMB,
    ...rest, ...extra,
    sourcesUnderTsx: { value: Math.round(tsx['value'] as number), baseline: Math.round(tsx['baseline'] as number), ratio: ratio(tsx['value'] as number, tsx['baseline'] as number) }
  })
  if (floorValue === undefined) return
  // The floor of the same run (see detect-phases.mjs): what no detector can beat on these events.
  figures.push({
    bench: `${bench}-floor`, value: Math.round(floorValue), unit: 'events/s', baseline: Math.round(baseline as number), ratio: ratio(floorValue, baseline as number), rssMB,
    pushOfFloor: ratio(value as number, floorValue),
    baselineIs: 'parseVlog of the same lines, in the same run as push',
    floorIs: 'each claim act: kind and event-time checks, its port found by name in a Map, time and claimer written; no history, eviction, rule or signal'
  })
}

function flood (): void {
  throughput('flood', 'detect-flood', null, { baselineIs: 'parseVlog of the same lines, chunk by chunk in the same pass' })
}

/** The storm corpus as a file of lines for the phase processes. */
function withStormCorpus (f: (file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'claimstorm-bench-'))
  try {
    const file = join(dir, 'storm.log')
    writeFileSync(file, generateCorpus({ kind: 'storm', lines: LINES }).lines.join('\n'))
    f(file)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function storm (): void {
  withStormCorpus((file) => throughput('storm', 'detect-storm', file, { baselineIs: 'parseVlog of the same lines' }))
}

function stormSteady (): void {
  withStormCorpus((file) => throughput('storm-steady', 'detect-storm-steady', file, { baselineIs: 'parseVlog of the same lines' }))
}

const PHASES: Record<string, () => void> = { 'flood-rss': floodRss, flood, storm, 'storm-steady': stormSteady }
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
