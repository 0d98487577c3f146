// `claimstorm scan PATH…`: a night's logs from every gateway → what stormed, when, and which node
// to drain. Exit status like a linter: 0 nothing found, 1 warnings, 2 critical, 3 usage or input error.
import { writeFile } from 'node:fs/promises'
import { Option, type Command } from 'commander'
import type { CommandContext } from '../cli.js'
import { EXIT_CRITICAL, EXIT_OK, EXIT_USAGE, EXIT_WARNING } from '../exit-status.js'
import { StormError, isStormError } from '../errors.js'
import { DEFAULT_DETECTOR_OPTIONS, resolveDetectorOptions, type DetectorOptions } from '../detect/options.js'
import type { ThrottleRegime } from '../types.js'
import { toAlertRecord } from '../alert/alert-record.js'
import { serializeAlert } from '../alert/serialize.js'
import { attributeNode, compileNodePattern } from '../scan/attribute-node.js'
import { planScan, runScan, type ScanOptions, type ScanPlan } from '../scan/scan.js'
import { renderSummary } from '../scan/summary.js'
import { renderHtmlReport } from '../scan/report/html.js'
import { createProgressReporter, silentProgress } from '../scan/progress.js'
import type { ScanReport } from '../scan/model.js'

// The statuses of src/cli.ts, restated so that loading this command does not load every other one.

/** Inputs smaller than this finish before a progress line would help. */
export const PROGRESS_MIN_BYTES = 32 * 1024 * 1024

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * `--since` / `--until`: an ISO 8601 time (UTC when it has no zone, like the logs) or a duration
 * back from `nowMs` (`90s`, `30m`, `2h`, `1d`).
 */
export function parseTimeArg (flag: string, value: string, nowMs: number): number {
  const rel = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim())
  if (rel !== null) return nowMs - Number(rel[1]) * (UNIT_MS[rel[2] ?? 's'] ?? 1000)
  let text = value.trim()
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) text += 'T00:00:00Z'
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text = `${text.replace(' ', 'T')}Z`
  const ms = Date.parse(text)
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms)) {
    throw new StormError('E_USAGE', `${flag} ${JSON.stringify(value)}: expected an ISO time (2026-11-22T07:45:00Z) or a duration back from now (90s, 30m, 2h, 1d)`)
  }
  return ms
}

function kebab (name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}

const THRESHOLD_KEYS = Object.keys(DEFAULT_DETECTOR_OPTIONS) as Array<keyof typeof DEFAULT_DETECTOR_OPTIONS>

/** One line of help per detector threshold (docs/signals.md has the details). */
const THRESHOLD_HELP: Partial<Record<keyof typeof DEFAULT_DETECTOR_OPTIONS, string>> = {
  allowedLatenessMs: 'how late (event time) a line may arrive and still count',
  quietMs: 'a condition resolves after this long without new evidence',
  updateIntervalMs: 'at most one update per open condition per this long',
  stormWindowMs: 'window in which hand-offs of one port are counted',
  stormMinHandoffs: 'hand-offs of one port within the window for a claim storm',
  stormMinSpanMs: 'the contention must last this long (a failback tug is not a storm)',
  stormMaxGapMs: 'a pause this long between acts of a port ends an episode (a failover and a later failback tug are not a storm)',
  flapWindowMs: 'window for one chassis\' claim/release loop on a port',
  flapMinCycles: 'claim+release cycles within the window for a port flap',
  loadWindowMs: 'window of the Southbound claim-load rate',
  loadMinClaimsPerSec: 'claims/s of re-claimed ports (all together) for claim load',
  loadMinPorts: 're-claimed ports needed for claim load',
  loadMinBusySeconds: 'seconds of the window that must see re-claims',
  loadCriticalClaimsPerSec: 'claim load turns critical at this rate',
  leakWindowMs: 'window for ofport re-adds of one interface',
  leakMinReadds: 're-adds with climbing port numbers for an ofport leak',
  leakMinBusyErrors: '"Device or resource busy" lines for an ofport leak',
  bfdWindowMs: 'window in which BFD sessions of a node going down count together',
  bfdMinTunnels: 'sessions going down within the window for mass BFD down',
  bfdEvidenceLookbackMs: 'how long before a storm BFD downs count as evidence',
  throttleInferMinSamples: 're-claim intervals needed to infer the throttle',
  maxTrackedPorts: 'logical ports tracked at once',
  maxTrackedNodes: 'nodes tracked at once',
  maxTrackedIfaces: 'interfaces tracked at once',
  maxActsPerPort: 'claim acts kept per port',
  maxDedupeEntries: 'line fingerprints kept to drop duplicated lines',
  maxOpenSignals: 'open conditions at once'
}

/**
 * `--node` gives every file one node; when the paths would have named several, storms between those
 * nodes become invisible (one node cannot fight itself), which deserves a word on stderr.
 */
export function nodeOverrideWarning (plan: ScanPlan, options: Pick<ScanOptions, 'node'>): string | null {
  if (options.node === undefined || plan.files.length < 2) return null
  const guessed = [...new Set(plan.files.map((f) => attributeNode(f.path, {}).node))].sort()
  if (guessed.length < 2) return null
  const shown = guessed.length <= 4 ? guessed.join(', ') : `${guessed.slice(0, 4).join(', ')}, …`
  return `warning: --node ${options.node} gives all ${plan.files.length} files one node, but their paths name ${guessed.length} (${shown}): ` +
    'claims from different nodes now look like one node\'s, and storms between them cannot be seen. --node is for the logs of one node; ' +
    'for many, let the paths say (…/<node>/ovn-controller.log) or use --node-pattern'
}

/**
 * The exit status of a finished scan: 3 when an input could not be read as asked (a named path missing
 * or not a log, an unreadable directory or file, a corrupt .gz) or nothing could be read at all;
 * else 2 critical, 1 warning, 0 nothing found.
 */
export function exitStatus (report: ScanReport): number {
  if (report.issues.some((i) => i.explicit || i.code === 'corrupt-gzip' || i.code === 'unreadable' || i.code === 'read-error')) return EXIT_USAGE
  if (report.files.length === 0 || report.files.every((f) => f.status !== 'ok')) return EXIT_USAGE
  if (report.verdict.level === 'critical') return EXIT_CRITICAL
  if (report.verdict.level === 'warning') return EXIT_WARNING
  return EXIT_OK
}

async function write (ctx: CommandContext, text: string, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  if (!ctx.io.stdout.write(text)) {
    await new Promise<void>((resolve) => {
      ctx.io.stdout.once('drain', resolve)
      signal.addEventListener('abort', () => { resolve() }, { once: true })
    })
  }
}

async function run (ctx: CommandContext, paths: string[], flags: Record<string, unknown>): Promise<void> {
  const err = (s: string): void => { ctx.io.stderr.write(`claimstorm scan: ${s}\n`) }
  const str = (k: string): string | undefined => (typeof flags[k] === 'string' ? flags[k] : undefined)
  let options: ScanOptions
  try {
    options = { paths }
    const node = str('node')
    const pattern = str('nodePattern')
    if (node !== undefined && pattern !== undefined) throw new StormError('E_USAGE', '--node and --node-pattern cannot be used together')
    if (node !== undefined) {
      if (node.trim() === '') throw new StormError('E_USAGE', '--node needs a node name')
      options.node = node
    }
    if (pattern !== undefined) options.nodePattern = compileNodePattern(pattern)
    const now = Date.now()
    const since = str('since')
    const until = str('until')
    if (since !== undefined) options.sinceMs = parseTimeArg('--since', since, now)
    if (until !== undefined) options.untilMs = parseTimeArg('--until', until, now)
    if (options.sinceMs !== undefined && options.untilMs !== undefined && options.sinceMs > options.untilMs) {
      throw new StormError('E_USAGE', '--since is after --until')
    }
    const det: Partial<DetectorOptions> = {}
    const ovn = str('ovnVersion')
    if (ovn !== undefined) det.ovnVersion = ovn
    const throttle = str('throttle')
    if (throttle !== undefined) det.throttleRegime = throttle as ThrottleRegime
    for (const k of THRESHOLD_KEYS) {
      const v = str(k)
      if (v === undefined) continue
      const n = Number(v)
      if (v.trim() === '' || !Number.isFinite(n)) throw new StormError('E_USAGE', `--${kebab(k)} ${JSON.stringify(v)}: expected a number`)
      ;(det as Record<string, unknown>)[k] = n
    }
    try {
      resolveDetectorOptions(det) // validate before reading a byte
    } catch (e) {
      // name the flag the person typed, not the library option
      if (isStormError(e)) throw new StormError('E_USAGE', e.message.replace(/detector option (\w+)/g, (_m, k: string) => `--${k === 'throttleRegime' ? 'throttle' : kebab(k)}`))
      throw e
    }
    options.detector = det
    const mlb = str('maxLineBytes')
    if (mlb !== undefined) {
      const n = Number(mlb)
      if (!Number.isSafeInteger(n) || n < 256) throw new StormError('E_USAGE', `--max-line-bytes ${JSON.stringify(mlb)}: expected an integer ≥ 256`)
      options.maxLineBytes = n
    }
    const workers = str('workers')
    if (workers !== undefined) {
      const n = Number(workers)
      if (!/^\d+$/.test(workers) || !Number.isSafeInteger(n)) throw new StormError('E_USAGE', `--workers ${JSON.stringify(workers)}: expected a whole number of worker threads (0 parses in the main thread)`)
      options.workers = n
    }
    if (flags['compareBaseline'] === true) options.compareBaseline = true
  } catch (e) {
    if (!isStormError(e)) throw e
    err(e.message)
    ctx.code = EXIT_USAGE
    return
  }

  const plan = await planScan(options)
  const quiet = flags['quiet'] === true
  const overridden = nodeOverrideWarning(plan, options)
  if (overridden !== null) err(overridden)
  const minBytes = Number(ctx.io.env['CLAIMSTORM_PROGRESS_MIN_BYTES'] ?? PROGRESS_MIN_BYTES)
  const progress = !quiet && ctx.io.stderrIsTTY && plan.bytesTotal >= minBytes
    ? createProgressReporter(plan.bytesTotal, { write: (s) => { ctx.io.stderr.write(s) }, nowMs: () => performance.now() })
    : silentProgress
  options.onProgress = (bytes, lines) => { progress.update(bytes, lines) }
  const json = flags['json'] === true
  // `scan … | head`: a closed stdout ends the scan quietly with status 0, like `cat`
  const stop = new AbortController()
  const onStdoutError = (e: NodeJS.ErrnoException): void => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') stop.abort()
    else err(`cannot write to stdout: ${e.message}`)
  }
  ctx.io.stdout.on('error', onStdoutError)
  options.signal = stop.signal
  // NDJSON goes out as the detector emits it, so a long scan's records do not pile up in memory
  if (json) {
    options.onSignals = (signals) => {
      if (stop.signal.aborted) return
      for (const s of signals) ctx.io.stdout.write(`${serializeAlert(toAlertRecord(s))}\n`)
    }
  }
  let report: ScanReport
  try {
    report = await runScan(options, plan)
  } finally {
    progress.done()
  }
  if (stop.signal.aborted) {
    ctx.code = EXIT_OK
    return
  }
  for (const i of report.issues) {
    // files that are not logs found while walking a directory (dpkg.log in /var/log) are only listed
    if (i.code === 'not-a-log' && !i.explicit && quiet) continue
    err(i.message)
  }

  if (!json) {
    await write(ctx, `${renderSummary(report, { color: ctx.io.stdoutIsTTY && flags['color'] !== false })}\n`, stop.signal)
  }
  const reportPath = str('report')
  if (reportPath !== undefined) {
    try {
      await writeFile(reportPath, renderHtmlReport(report))
      if (!json) await write(ctx, `\nReport written to ${reportPath}\n`, stop.signal)
    } catch (e) {
      err(`cannot write the report to ${reportPath}: ${e instanceof Error ? e.message : String(e)}`)
      ctx.code = EXIT_USAGE
      return
    }
  }
  ctx.code = stop.signal.aborted ? EXIT_OK : exitStatus(report)
}

const EXAMPLES = `
Examples:
  $ claimstorm scan examples/sample
      one directory per node (gw1/ovn-controller.log, gw1/ovs-vswitchd.log, …): summary + verdict
  $ claimstorm scan /srv/logs/2026-11-22 --report storm.html --compare-baseline
      a night of logs from every gateway, an HTML report, and where today's Loki rule would have fired
  $ claimstorm scan /var/log/ovn/ovn-controller.log /var/log/openvswitch/ovs-vswitchd.log --node gw3
      --node gives every file of a single node's input its node name (here gw3)
  $ claimstorm scan dump/ --node-pattern 'dump/([^/]+)/' --since 2026-11-22T07:40:00Z --until 2026-11-22T07:50:00Z
      the node name from the path; only events in the window
  $ claimstorm scan /var/log/pods --since 2h --json | jq .message
      alert records as NDJSON (the same schema as serve)

Node attribution, per file: record metadata when the lines carry it (Fluent Bit / Vector records,
syslog hosts); otherwise the parent directory of a daemon log (gw1/ovn-controller.log → gw1, rotated
.1 / .gz too), the pod name of a Kubernetes log path, else the file name (gw1.log → gw1). The summary
lists the node each file was given.

Exit status: 0 nothing found, 1 warnings, 2 critical, 3 usage or input error (missing file, unreadable
directory, corrupt .gz, a named file that is not a log). The scan goes on past input errors.
`

/** Registers `claimstorm scan`. */
export function registerScanCommand (program: Command, ctx: CommandContext): void {
  const cmd = program.command('scan')
    .description('Scan OVS/OVN log files or directories (one night, every node) for claim storms, ofport exhaustion and mass BFD down')
    .argument('<path...>', 'log files (.log, .log.1, .gz) or directories walked recursively')
    .option('--json', 'print the alert records as NDJSON instead of the summary')
    .option('--report <file.html>', 'also write a self-contained HTML report (timelines per stormed port, BFD, ofports)')
    .option('--compare-baseline', 'also evaluate today\'s Loki rule rate(|= "binding|INFO|cr-lrp" [1m]) > 1 per node and print where it would have fired')
    .option('--node <name>', 'the node all PATHs come from (one node\'s logs); record metadata still wins (default: from the path)')
    .option('--node-pattern <regex>', 'node name from each file\'s path: the named group "node" or the first capture group')
    .option('--since <time>', 'leave out events before this time: ISO (UTC unless a zone is given) or a duration back from now (30m, 2h, 1d)')
    .option('--until <time>', 'leave out events after this time (same forms as --since)')
    .option('--max-line-bytes <n>', 'longest line read, in bytes (default: 1048576)')
    .option('--workers <n>', 'worker threads that read and parse files beside the main thread, which merges and detects; 0: none (default: CPUs − 1, at most 4, for 128 MiB or more in 2+ files; else none)')
    .option('-q, --quiet', 'no progress line, and no notes about non-log files found in directories')
    .option('--no-color', 'no ANSI colours on a terminal')
  cmd.optionsGroup('Detector options:')
  cmd.option('--ovn-version <version>', 'OVN version of the chassis (e.g. 23.03.1): sets the re-claim throttle regime (default: inferred)')
  cmd.addOption(new Option('--throttle <regime>', 'OVN re-claim throttle: none (< 22.09), 500ms (22.09+), 2s (24.03.7+, 25.03.2+, 25.09+) (default: inferred)').choices(['none', '500ms', '2s']))
  for (const k of THRESHOLD_KEYS) {
    const unit = /Ms$/.test(k) ? 'ms' : /PerSec$/.test(k) ? 'n/s' : /Seconds$/.test(k) ? 's' : 'n'
    cmd.option(`--${kebab(k)} <${unit}>`, `${THRESHOLD_HELP[k] ?? `detector option ${k}`} (default: ${String(DEFAULT_DETECTOR_OPTIONS[k])})`)
  }
  cmd.addHelpText('after', EXAMPLES)
  cmd.action(async (paths: string[], flags: Record<string, unknown>) => { await run(ctx, paths, flags) })
  program.addHelpText('after', `
Examples:
  $ claimstorm scan examples/sample                      what stormed in a night of logs, and which node to drain
  $ claimstorm scan logs/ --report storm.html            the same with an HTML report
  $ claimstorm scan --help                               every scan option, node attribution, exit statuses
`)
}
