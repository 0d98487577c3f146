// Parse workers (src/scan/parse-pool.ts, src/scan/parse-worker.ts) against the main thread alone: the
// same report, file for file and issue for issue, whatever the workers' timing; and the pool really
// starts its workers (a worker that fails to start would leave its chains to the main thread unseen).
import t from 'tap'
import fc from 'fast-check'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { FIXTURES, LAB, labScenarios } from './helpers/fixtures.js'
import { planScan, rotationChains, runScan, type ScanOptions } from '../src/scan/scan.js'
import { startParsePool } from '../src/scan/parse-pool.js'
import { chainEvents, type Shared } from '../src/scan/file-events.js'
import type { ScanReport } from '../src/scan/model.js'
import type { InputIssue } from '../src/scan/walk.js'
import type { ParseResult } from '../src/types.js'
import { StormError } from '../src/errors.js'

function comparable (r: ScanReport): unknown {
  return { ...r, totals: { ...r.totals, elapsedMs: 0 } }
}

async function same (options: ScanOptions, workers: number): Promise<[unknown, unknown]> {
  return [comparable(await runScan({ ...options, workers })), comparable(await runScan({ ...options, workers: 0 }))]
}

t.test('the pool starts its workers and gives each chain exactly what chainEvents gives', async (t) => {
  const plan = await planScan({ paths: [join(LAB, 'sample', '07-multi-gw-bad-node-storm')] })
  const chains = rotationChains(plan.files)
  t.ok(chains.length > 2, `${chains.length} chains`)
  const collect = async (inputs: Array<AsyncIterable<ParseResult[]>>): Promise<ParseResult[][]> =>
    await Promise.all(inputs.map(async (it) => { const out: ParseResult[] = []; for await (const b of it) out.push(...b); return out }))
  const localShared: Shared = { bytesRead: 0, lines: 0, outsideWindow: 0 }
  const localIssues: InputIssue[] = []
  const localChains = rotationChains((await planScan({ paths: [join(LAB, 'sample', '07-multi-gw-bad-node-storm')] })).files)
  const local = await collect(localChains.map((c) => chainEvents(c, {}, localShared, localIssues)))
  const shared: Shared = { bytesRead: 0, lines: 0, outsideWindow: 0 }
  const issues: InputIssue[] = []
  let progress = 0
  const pool = startParsePool(chains, 2, { onProgress: () => { progress++ } }, shared, issues)
  try {
    t.equal(await pool.started(), 2, 'both workers started')
    t.same(await collect(pool.inputs), local, 'same batches, chain for chain')
  } finally {
    await pool.close()
  }
  t.same(shared, localShared, 'same bytes, lines, out-of-window counts')
  t.same(chains, localChains, 'same file counters')
  t.same(issues, localIssues)
  t.ok(progress > 0, 'progress reported')
})

t.test('same report with and without workers: lab scenarios, other fixtures, a time window', async (t) => {
  // every scenario at once (one worker start): their nodes' files are merged by time across scenarios
  const [lw, lm] = await same({ paths: labScenarios('sample').map((s) => join(LAB, 'sample', s)), compareBaseline: true }, 2)
  t.same(lw, lm, 'every lab scenario')
  t.ok((lm as ScanReport).alerts.length > 0)
  const paths = ['golden', 'wrappers', 'seed-excerpts'].map((d) => join(FIXTURES, d))
  const [w, m] = await same({ paths }, 3)
  t.same(w, m, 'golden, wrappers, seed excerpts')
  const lab = [join(LAB, 'sample', '06-gateway-bfd-flap')]
  const off = await runScan({ paths: lab, workers: 0 })
  const first = off.firstMs ?? 0
  const span = (off.lastMs ?? 0) - first
  const [ww, mw] = await same({ paths: lab, sinceMs: first + span / 4, untilMs: first + span / 2 }, 1)
  t.same(ww, mw, 'a time window')
  t.ok((mw as ScanReport).totals.outsideWindow > 0)
})

t.test('issues (not a log, corrupt gzip, unreadable) come in the order of the files, with or without workers', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'claimstorm-workers-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const line = (i: number): string => `2026-11-22T07:45:${String(i % 60).padStart(2, '0')}.000Z|${String(i).padStart(5, '0')}|binding|INFO|Claiming lport lsp${i % 7} for this chassis.`
  for (const node of ['gw1', 'gw2', 'gw3']) {
    mkdirSync(join(dir, node))
    writeFileSync(join(dir, node, 'ovn-controller.log'), Array.from({ length: 300 }, (_, i) => line(i)).join('\n') + '\n')
    writeFileSync(join(dir, node, 'notes.log'), 'just some text\n'.repeat(20))
  }
  const gz = gzipSync(Buffer.from(Array.from({ length: 3000 }, (_, i) => line(i)).join('\n')))
  writeFileSync(join(dir, 'gw2', 'ovs-vswitchd.log.1.gz'), gz.subarray(0, gz.length >> 1))
  const opts = { paths: [dir, join(dir, 'missing.log')], sniffLines: 10 }
  const runs = await Promise.all([3, 1, 0].map(async (workers) => await runScan({ ...opts, workers })))
  const codes = (r: ScanReport): string[] => r.issues.map((i) => `${i.code} ${i.path.slice(dir.length)}`)
  t.same(codes(runs[0] as ScanReport), codes(runs[2] as ScanReport))
  t.same(codes(runs[1] as ScanReport), codes(runs[2] as ScanReport))
  t.same(codes(runs[2] as ScanReport), ['missing /missing.log', 'not-a-log /gw1/notes.log', 'not-a-log /gw2/notes.log', 'corrupt-gzip /gw2/ovs-vswitchd.log.1.gz', 'not-a-log /gw3/notes.log'])
  t.same(comparable(runs[0] as ScanReport), comparable(runs[2] as ScanReport), 'and the whole report')
})

t.test('random multi-node directories: same report with 1 or 2 workers as without', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'claimstorm-workers-rnd-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const rec = fc.tuple(fc.nat(600), fc.constantFrom('binding', 'bfd', 'poll_loop', 'reconnect'), fc.nat(5), fc.constantFrom(0, 1, 2, 3)).map(([s, mod, p, k]) => {
    const ts = new Date(Date.UTC(2026, 10, 22, 7, 45, 0) + s * 100).toISOString()
    const msg = mod === 'binding'
      ? (k === 0 ? `Changing chassis for lport cr-lrp-${p} from gw${k + 1} to gw${p % 3 + 1}.` : `Claiming lport cr-lrp-${p} for this chassis.`)
      : mod === 'bfd' ? `ovn-gw${p}-0: BFD state change: up->down "No Diagnostic"->"Control Detection Time Expired".` : 'wakeup due to 0-ms timeout'
    return `${ts}|${String(s).padStart(5, '0')}|${mod}|INFO|${msg}` + (k === 3 ? '\n  Local Flags: none\n' : '')
  })
  let n = 0
  await fc.assert(fc.asyncProperty(fc.array(fc.array(rec, { maxLength: 80 }), { minLength: 1, maxLength: 5 }), fc.constantFrom(1, 2), async (files, workers) => {
    const dir = join(root, String(n++))
    files.forEach((lines, i) => {
      mkdirSync(join(dir, `gw${i}`), { recursive: true })
      // times sorted per file, as a log is
      writeFileSync(join(dir, `gw${i}`, 'ovn-controller.log'), lines.sort().join('\n') + '\n')
    })
    const [w, m] = await same({ paths: [dir] }, workers)
    if (JSON.stringify(w) !== JSON.stringify(m)) throw new Error(`reports differ:\n${JSON.stringify(w)}\n${JSON.stringify(m)}`)
  }), { numRuns: 6, seed: 20261122 })
  t.pass('6 random directories')
})

t.test('stopped early with workers: the merge stops, the scan resolves with what was read', async (t) => {
  const paths = [join(LAB, 'sample')]
  const full = await runScan({ paths, workers: 0 })
  const ac = new AbortController()
  ac.abort()
  // the merge checks the signal every 1024 events: far fewer than the whole sample's reach the detector
  const r = await runScan({ paths, workers: 2, signal: ac.signal })
  t.ok(r.signals.length < full.signals.length, `${r.signals.length} of ${full.signals.length} signals`)
  t.ok(r.alerts.length < full.alerts.length, `${r.alerts.length} of ${full.alerts.length} alerts`)
})

t.test('workers must be a non-negative integer', async (t) => {
  await t.rejects(runScan({ paths: [join(LAB, 'sample', '00-setup')], workers: -1 }), StormError)
  await t.rejects(runScan({ paths: [join(LAB, 'sample', '00-setup')], workers: 1.5 }), { code: 'E_CONFIG' })
})
