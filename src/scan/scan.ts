// claimstorm scan, the core: files → lines → events (per file, node attributed) → merged by event
// time across nodes → detector → signals, plus the evidence the report plots. One pass, bounded
// memory; a problem with one file is reported and the scan goes on with the rest.
import { availableParallelism } from 'node:os'
import { basename, dirname } from 'node:path'
import type { Signal } from '../types.js'
import { VERSION } from '../version.js'
import { StormError } from '../errors.js'
import { mergeBatchesByTime } from './merge-batches.js'
import { chainEvents, type FileScanOptions, type Shared } from './file-events.js'
import { startParsePool } from './parse-pool.js'
import { createDetector } from '../detect/detector.js'
import type { DetectorOptions } from '../detect/options.js'
import { attributeNode, fileStem, type AttributeOptions } from './attribute-node.js'
import { walkInputs, type InputIssue, type WalkFs } from './walk.js'
import { createCollector, type CollectOptions } from './collect.js'
import { createAlertFolder, verdictOf } from './alerts.js'
import { compareWithBaseline, createBaselineEvaluator } from './baseline.js'
import type { ScanReport, ScannedFile, Verdict } from './model.js'

export interface ScanOptions extends AttributeOptions, FileScanOptions {
  /** Files and directories to scan (directories are walked for log files). */
  paths: string[]
  /**
   * Passed to the detector (thresholds, `ovnVersion`, `throttleRegime`).
   * @default DEFAULT_DETECTOR_OPTIONS
   */
  detector?: Partial<DetectorOptions>
  /**
   * Also evaluate today's Loki rule on the same input (`report.baseline`).
   * @default false
   */
  compareBaseline?: boolean
  /** Bounds of the evidence kept for the report (see `CollectOptions`). */
  collect?: CollectOptions
  /**
   * Signals kept in the report (`signals`, the HTML report's embedded JSON); the rest are still
   * folded into the alert rows and handed to `onSignals`.
   * @default 2000
   */
  maxKeptSignals?: number
  /** Every signal as the detector emits it (`--json` streams them from here). */
  onSignals?: (signals: readonly Signal[]) => void
  /** Injected file system for the walk (tests). */
  fs?: WalkFs
  /** Monotonic clock for the elapsed time. @default performance.now */
  nowMs?: () => number
  /**
   * Worker threads that read and parse the files while the main thread merges and detects (same report;
   * the work is split across cores); 0 does everything in the main thread.
   * @default with 2 or more CPUs (`os.availableParallelism()`) and an input of 128 MiB or more in more than one file, one less than the CPUs, at most 4; else 0
   */
  workers?: number
}

export interface ScanPlan {
  files: Array<ScannedFile & { explicit: boolean }>
  issues: InputIssue[]
  bytesTotal: number
}

/** Walks the inputs and gives every file its node (the first half of a scan; the CLI sizes its progress from it). */
export async function planScan (options: Pick<ScanOptions, 'paths' | 'node' | 'nodePattern' | 'fs'>): Promise<ScanPlan> {
  const walk = await walkInputs(options.paths, options.fs === undefined ? {} : { fs: options.fs })
  const attr: AttributeOptions = {}
  if (options.node !== undefined) attr.node = options.node
  if (options.nodePattern !== undefined) attr.nodePattern = options.nodePattern
  const files = walk.files.map((f) => {
    const a = attributeNode(f.path, attr)
    const file: ScannedFile & { explicit: boolean } = {
      path: f.path, node: a.node, nodeFrom: a.from, recordNodes: [], bytes: 0, lines: 0, events: 0, unparsed: 0,
      firstMs: null, lastMs: null, status: 'ok', explicit: f.explicit
    }
    return file
  })
  return { files, issues: walk.issues, bytesTotal: walk.files.reduce((a, f) => a + f.bytes, 0) }
}

/** `x.log.3.gz` → 3, `x.log.1` → 1, `x.log` → 0, `0.log.20240905-163854` → -20240905163854 (CRI: older first). */
function rotationIndex (path: string): number {
  const name = basename(path).replace(/\.gz$/, '')
  const num = /\.log\.(\d+)$/.exec(name)
  if (num !== null) return Number(num[1])
  const stamp = /\.log\.(\d{8})-(\d{6})$/.exec(name)
  if (stamp !== null) return 1e15 - Number(`${stamp[1] ?? ''}${stamp[2] ?? ''}`)
  return 0
}

/** Groups the files of one log (same directory, stem and node) into rotation order, oldest first. */
export function rotationChains<T extends { path: string; node: string }> (files: readonly T[]): T[][] {
  const chains = new Map<string, T[]>()
  for (const f of files) {
    const key = `${f.node}\u0000${dirname(f.path)}\u0000${fileStem(f.path)}`
    const c = chains.get(key)
    if (c === undefined) chains.set(key, [f])
    else c.push(f)
  }
  return [...chains.values()].map((c) => c.sort((a, b) => rotationIndex(b.path) - rotationIndex(a.path)))
}

/**
 * Inputs below this size are parsed in the main thread. On 2 cores one worker was measured at 0.86× the
 * wall-clock rate of the main thread alone on 24 MB, 1.0× on 64 MB, 1.31× on 256 MB and 1.68× on 1 GB
 * (bench/scan.bench.ts), for 60–110 MB more RSS.
 */
const WORKERS_MIN_BYTES = 128 * 1024 * 1024

function workerCount (requested: number | undefined, plan: ScanPlan): number {
  if (requested !== undefined) {
    if (!Number.isSafeInteger(requested) || requested < 0) throw new StormError('E_CONFIG', `workers must be a non-negative integer, got ${String(requested)}`)
    return requested
  }
  // one worker on two cores: on an otherwise quiet machine 1.3–1.7× the wall-clock rate for about the same
  // CPU and 60–90 MB more RSS; on a machine whose other jobs already fill the second core, 1.09–1.13× for up
  // to 15 % more CPU (docs/scan.md#performance). `--workers 0` keeps the scan to one thread.
  const cpus = availableParallelism()
  if (cpus < 2 || plan.bytesTotal < WORKERS_MIN_BYTES || plan.files.length < 2) return 0
  return Math.min(4, cpus - 1)
}

/**
 * The verdict of a scan that found nothing but had nothing to judge either ("OK" must not be said of it):
 * no file read as a log, or no OVS/OVN line read inside --since/--until. Null when something was judged.
 */
function nothingChecked (files: readonly ScannedFile[], outsideWindow: number): Verdict | null {
  const read = files.filter((f) => f.status === 'ok')
  if (read.length === 0) return { level: 'ok', text: `NOTHING CHECKED: ${files.length === 0 ? 'no log file found in the input' : 'no input file could be read as a log'}` }
  if (files.reduce((a, f) => a + f.events, 0) - outsideWindow > 0) return null
  const where = read.length === 1 ? 'the file' : `the ${read.length} files`
  return {
    level: 'ok',
    text: outsideWindow > 0
      ? `NOTHING CHECKED: every line of ${where} read lies outside --since/--until`
      : `NOTHING CHECKED: no OVS/OVN log line in ${where} read`
  }
}

/** Runs a whole scan and returns the report model. Throws only for bad options (`StormError`). */
export async function runScan (options: ScanOptions, plan?: ScanPlan): Promise<ScanReport> {
  const now = options.nowMs ?? (() => performance.now())
  const started = now()
  const p = plan ?? await planScan(options)
  const detector = createDetector(options.detector ?? {})
  const workers = workerCount(options.workers, p)
  // file issues come in as files are read, which with several inputs (and workers) is no fixed order:
  // they are put in the order of the files once the scan is done
  const fileIssues: InputIssue[] = []
  const shared: Shared = { bytesRead: 0, lines: 0, outsideWindow: 0 }
  const collector = createCollector(options.collect ?? {})
  const baseline = options.compareBaseline === true ? createBaselineEvaluator() : null
  const signals: Signal[] = []
  // rotated files of one log are read one after the other (oldest first) as one input: the merge
  // then holds one open file per log, not one per file
  const chains = rotationChains(p.files)
  const pool = workers > 0 && chains.length > 0 ? startParsePool(chains, workers, options, shared, fileIssues) : null
  const inputs = pool?.inputs ?? chains.map((chain) => chainEvents(chain, options, shared, fileIssues))
  const folder = createAlertFolder()
  const maxKept = options.maxKeptSignals ?? 2000
  let droppedSignals = 0
  const onSignals = (out: Signal[]): void => {
    if (out.length === 0) return
    collector.signals(out)
    for (const s of out) {
      folder.push(s)
      if (signals.length < maxKept) signals.push(s)
      else droppedSignals++
    }
    options.onSignals?.(out)
  }
  let n = 0
  try {
    await mergeBatchesByTime(inputs, (r) => {
      collector.push(r)
      baseline?.push(r)
      onSignals(detector.push(r))
      return (++n & 1023) === 0 && options.signal?.aborted === true
    })
  } finally {
    await pool?.close()
  }
  const fileIndex = new Map(p.files.map((f, i) => [f.path, i]))
  fileIssues.sort((a, b) => (fileIndex.get(a.path) ?? 0) - (fileIndex.get(b.path) ?? 0))
  const issues = [...p.issues, ...fileIssues]
  onSignals(detector.flush())
  options.onProgress?.(shared.bytesRead, shared.lines)

  const alerts = folder.rows()
  let firstMs: number | null = null
  let lastMs: number | null = null
  for (const f of p.files) {
    if (f.firstMs !== null && (firstMs === null || f.firstMs < firstMs)) firstMs = f.firstMs
    if (f.lastMs !== null && (lastMs === null || f.lastMs > lastMs)) lastMs = f.lastMs
  }
  const nodes = [...new Set(p.files.flatMap((f) => (f.status === 'not-a-log' ? [] : [f.node, ...f.recordNodes])))].sort()
  const files = p.files.map(({ explicit: _explicit, ...f }) => f)
  const report: ScanReport = {
    version: VERSION,
    paths: [...options.paths],
    files,
    issues,
    signals,
    droppedSignals,
    alerts,
    timelines: collector.timelines(),
    bfd: collector.bfd(),
    ofports: collector.ofports(),
    droppedPoints: collector.dropped(),
    totals: {
      files: files.length,
      bytes: files.reduce((a, f) => a + f.bytes, 0),
      lines: shared.lines,
      events: files.reduce((a, f) => a + f.events, 0),
      unparsed: files.reduce((a, f) => a + f.unparsed, 0),
      outsideWindow: shared.outsideWindow,
      elapsedMs: now() - started
    },
    firstMs,
    lastMs,
    nodes,
    verdict: (alerts.length === 0 ? nothingChecked(files, shared.outsideWindow) : null) ?? verdictOf(alerts)
  }
  if (baseline !== null) report.baseline = compareWithBaseline(baseline.finish(), report)
  return report
}
