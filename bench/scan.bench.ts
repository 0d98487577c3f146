// claimstorm scan throughput on a directory of generated multi-node logs (1 GB by default; set
// CLAIMSTORM_SCAN_BENCH_MB for a quick run), against a `cat`-style raw read and a line split of the
// same files in the same run, beside the line split and the parse alone against the same raw read (what a scan
// pays before any detection: the floor of its cost). Each measurement runs in its own child process, so peak RSS is its own;
// the scan is also run on the first half of the files to show that RSS stays flat in input size.
// The scan runs in the main thread alone (`workers: 0`), and again with parse workers
// (CLAIMSTORM_SCAN_BENCH_WORKERS, default one less than the CPUs, at least 1): their figures are
// wall-clock (labelled so), since what workers buy is wall time, paid for in CPU time.
//
//   node --expose-gc --import tsx bench/scan.bench.ts
import { spawnSync } from 'node:child_process'
import { createReadStream, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeSync, statSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateCorpus } from './lib/corpus.js'
import type { ScannedFile } from '../src/scan/model.js'

const NODES = ['gw1', 'gw2', 'gw3', 'hv1', 'hv2', 'hv3', 'hv4', 'hv5', 'hv6']
const DAEMONS = ['ovn-controller', 'ovs-vswitchd']
const CHUNK_LINES = 50_000

/** `elapsedMs` is wall time; `cpuMs` (user + system) is what the rates use: the 2-core machine is shared. */
interface ChildResult { elapsedMs: number; cpuMs: number; bytes: number; lines: number; rssMB: number; alerts?: number; liveHeapMB?: number }

async function child (mode: string, paths: string[]): Promise<ChildResult> {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  let bytes = 0
  let lines = 0
  let alerts: number | undefined
  let liveHeapMB: number | undefined
  if (mode === 'raw') {
    for (const p of paths) {
      for await (const chunk of createReadStream(p, { highWaterMark: 256 * 1024 })) bytes += (chunk as Buffer).length
    }
  } else if (mode === 'split') {
    const { openLineBatches } = await import('../src/parse/read-lines.js')
    for (const p of paths) {
      bytes += statSync(p).size
      for await (const batch of openLineBatches(p)) lines += batch.length
    }
  } else if (mode === 'parse') {
    const { openLineBatches } = await import('../src/parse/read-lines.js')
    const { createLineParser } = await import('../src/parse/line-parser.js')
    for (const p of paths) {
      bytes += statSync(p).size
      const parser = createLineParser({ source: { node: p } })
      for await (const batch of openLineBatches(p)) {
        for (const l of batch) { lines++; parser.push(l) }
      }
      parser.flush()
    }
  } else if (mode === 'events') {
    // the scan's own per-file reader (byte prefilter, then the parser), with no merge and no detection
    const { fileEvents } = await import('../src/scan/file-events.js')
    const shared = { bytesRead: 0, lines: 0, outsideWindow: 0 }
    let events = 0
    for (const p of paths) {
      const file: ScannedFile & { explicit: boolean } = { path: p, node: 'bench', nodeFrom: 'option', recordNodes: [], bytes: 0, lines: 0, events: 0, unparsed: 0, firstMs: null, lastMs: null, status: 'ok', explicit: true }
      for await (const batch of fileEvents(file, {}, shared, [])) events += batch.length
    }
    if (events === 0) throw new Error('the per-file reader kept no event')
    bytes = shared.bytesRead
    lines = shared.lines
  } else {
    const { runScan } = await import('../src/scan/scan.js')
    // live heap: sampled after a full GC every ~1 M events (peak RSS also counts garbage V8 has not collected yet)
    const gc = (globalThis as { gc?: () => void }).gc
    let ticks = 0
    let live = 0
    const sample = (): void => {
      if (gc === undefined) return
      gc()
      live = Math.max(live, process.memoryUsage().heapUsed)
    }
    const workers = mode === 'scan-workers' ? Number(process.env['CLAIMSTORM_SCAN_BENCH_WORKERS'] ?? Math.max(1, Math.min(4, availableParallelism() - 1))) : 0
    const r = await runScan({ paths, workers, onProgress: () => { if (++ticks % 256 === 0) sample() } })
    sample()
    liveHeapMB = Math.round(live / 1e6)
    bytes = r.totals.bytes
    lines = r.totals.lines
    alerts = r.alerts.length
  }
  const elapsedMs = performance.now() - t0
  const cpu = process.cpuUsage(c0)
  return { elapsedMs, cpuMs: (cpu.user + cpu.system) / 1000, bytes, lines, rssMB: Math.round(process.resourceUsage().maxRSS / 1024), ...(alerts === undefined ? {} : { alerts }), ...(liveHeapMB === undefined ? {} : { liveHeapMB }) }
}

function measure (mode: string, paths: string[]): ChildResult {
  const self = fileURLToPath(import.meta.url)
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--child', mode, ...paths], { encoding: 'utf8', maxBuffer: 1 << 26 })
  if (r.status !== 0) throw new Error(`bench child ${mode} failed: ${r.stderr}`)
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as ChildResult
}

/** Writes `mb` MB of logs: one directory per node, each daemon log rotated once (`.log.1` = first half). */
function generate (dir: string, mb: number): { all: string[]; firstHalf: string[] } {
  const perFile = Math.ceil((mb * 1e6) / (NODES.length * DAEMONS.length * 2))
  const all: string[] = []
  const firstHalf: string[] = []
  NODES.forEach((node, ni) => {
    mkdirSync(join(dir, node), { recursive: true })
    DAEMONS.forEach((daemon, di) => {
      let startMs = Date.UTC(2026, 10, 22, 0, 0, 0)
      let chunk = 0
      for (const name of [`${daemon}.log.1`, `${daemon}.log`]) {
        const path = join(dir, node, name)
        const fd = openSync(path, 'w')
        let written = 0
        while (written < perFile) {
          // ~170 bytes a line: ask for no more than what is left, so small sizes are not overshot
          const lines = Math.max(100, Math.min(CHUNK_LINES, Math.ceil((perFile - written) / 170)))
          const c = generateCorpus({ kind: 'mix', lines, seed: (ni * 2 + di + 1) * 7919 + chunk++, startMs })
          const text = c.lines.join('\n') + '\n'
          written += writeSync(fd, text)
          const last = [...c.lines].reverse().find((l) => /^\d{4}-/.test(l)) ?? ''
          startMs = Date.parse(last.slice(0, 24)) + 1
        }
        closeSync(fd)
        all.push(path)
        if (name.endsWith('.1')) firstHalf.push(path)
      }
    })
  })
  return { all, firstHalf }
}

async function main (): Promise<void> {
  const mb = Number(process.env['CLAIMSTORM_SCAN_BENCH_MB'] ?? 1024)
  const dir = mkdtempSync(join(tmpdir(), 'claimstorm-scan-bench-'))
  try {
    const g0 = performance.now()
    const { all, firstHalf } = generate(dir, mb)
    const totalBytes = all.reduce((a, p) => a + statSync(p).size, 0)
    process.stderr.write(`generated ${(totalBytes / 1e6).toFixed(0)} MB in ${all.length} files (${((performance.now() - g0) / 1000).toFixed(1)} s) under ${dir}\n`)
    measure('raw', all) // warm the page cache so every reader sees the same cache state
    const raw = measure('raw', all)
    const split = measure('split', all)
    const parse = measure('parse', all)
    const events = measure('events', all)
    const scan = measure('scan', [dir])
    const half = measure('scan', firstHalf)
    const load0 = loadavg()[0] ?? 0
    const scanW = measure('scan-workers', [dir])
    const rawW = measure('raw', all)
    const load1 = Math.round(Math.max(load0, loadavg()[0] ?? 0) * 10) / 10
    const workers = Number(process.env['CLAIMSTORM_SCAN_BENCH_WORKERS'] ?? Math.max(1, Math.min(4, availableParallelism() - 1)))
    for (const [k, v] of Object.entries({ raw, split, parse, events, scan, half, scanW, rawW })) process.stderr.write(`${k} ${JSON.stringify(v)}\n`)
    process.stderr.write(`load average (1 min) around the worker runs: ${load1} on ${availableParallelism()} CPUs\n`)
    const mbps = (r: ChildResult): number => r.bytes / 1e6 / (r.cpuMs / 1000)
    const lps = (r: ChildResult): number => r.lines / (r.cpuMs / 1000)
    const wallMbps = (r: ChildResult): number => r.bytes / 1e6 / (r.elapsedMs / 1000)
    const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d
    // rates per CPU second of the measuring process (user + system), wall time is in the stderr lines
    const figures = [
      { bench: 'scan MB/s vs raw read', value: round(mbps(scan), 1), unit: 'MB/s', baseline: round(mbps(raw), 1), ratio: round(mbps(scan) / mbps(raw)), rssMB: scan.rssMB },
      // the raw read does not split lines: its lines/s is the scan's line count over the raw read time
      { bench: 'scan lines/s vs raw read', value: Math.round(lps(scan)), unit: 'lines/s', baseline: Math.round(scan.lines / (raw.cpuMs / 1000)), ratio: round(raw.cpuMs / scan.cpuMs), rssMB: scan.rssMB },
      { bench: 'scan lines/s vs line split', value: Math.round(lps(scan)), unit: 'lines/s', baseline: Math.round(lps(split)), ratio: round(lps(scan) / lps(split)), rssMB: scan.rssMB },
      // what any scan pays before it detects anything, against the same raw read: splitting the bytes into lines
      // (every line must be looked at: counted, and reported when unreadable), then parsing them (noise skipped
      // from its bytes by the prefilter, the rest through the vlog parser: the scan's own per-file reader; and, for
      // comparison, the line parser over every line without the prefilter), per file, with no merge or detection
      { bench: 'line split MB/s vs raw read', value: round(mbps(split), 1), unit: 'MB/s', baseline: round(mbps(raw), 1), ratio: round(mbps(split) / mbps(raw)), rssMB: split.rssMB },
      { bench: 'per-file events (prefilter + parse, no merge, no detection) MB/s vs raw read', value: round(mbps(events), 1), unit: 'MB/s', baseline: round(mbps(raw), 1), ratio: round(mbps(events) / mbps(raw)), rssMB: events.rssMB },
      { bench: 'parse only MB/s vs raw read', value: round(mbps(parse), 1), unit: 'MB/s', baseline: round(mbps(raw), 1), ratio: round(mbps(parse) / mbps(raw)), rssMB: parse.rssMB },
      // the parser alone (per file, no merge, no detection): the ceiling for the scan
      { bench: 'scan lines/s vs parse only', value: Math.round(lps(scan)), unit: 'lines/s', baseline: Math.round(lps(parse)), ratio: round(lps(scan) / lps(parse)), rssMB: scan.rssMB },
      { bench: 'scan peak RSS, full vs half input', value: scan.rssMB, unit: 'MB', baseline: half.rssMB, ratio: round(scan.rssMB / half.rssMB), rssMB: scan.rssMB, inputMB: round(totalBytes / 1e6, 0), halfInputMB: round(half.bytes / 1e6, 0) },
      { bench: 'scan live heap after GC, full vs half input', value: scan.liveHeapMB ?? 0, unit: 'MB', baseline: half.liveHeapMB ?? 0, ratio: round((scan.liveHeapMB ?? 0) / Math.max(1, half.liveHeapMB ?? 0)), rssMB: scan.rssMB },
      // wall-clock from here on: the machine is shared, so `load1` says how busy it was
      { bench: `scan wall-clock MB/s, ${workers} parse worker(s) vs main thread only`, value: round(wallMbps(scanW), 1), unit: 'MB/s', baseline: round(wallMbps(scan), 1), ratio: round(wallMbps(scanW) / wallMbps(scan)), rssMB: scanW.rssMB, load1 },
      { bench: `scan wall-clock MB/s, ${workers} parse worker(s) vs raw read`, value: round(wallMbps(scanW), 1), unit: 'MB/s', baseline: round(wallMbps(rawW), 1), ratio: round(wallMbps(scanW) / wallMbps(rawW)), rssMB: scanW.rssMB, load1 },
      { bench: `scan MB/s per CPU second, ${workers} parse worker(s) vs main thread only`, value: round(mbps(scanW), 1), unit: 'MB/s', baseline: round(mbps(scan), 1), ratio: round(mbps(scanW) / mbps(scan)), rssMB: scanW.rssMB }
    ]
    for (const f of figures) process.stdout.write(JSON.stringify(f) + '\n')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[2] === '--child') {
  const r = await child(process.argv[3] ?? 'scan', process.argv.slice(4))
  process.stdout.write(JSON.stringify(r) + '\n')
} else {
  await main()
}
