// The byte-level prefilter against the parser it stands in for: a line it skips must parse to an event
// the scan drops anyway (kind `vlog`, module outside the templates' set, valid envelope, same time), a
// continuation it skips must be one the parser would attach, and a scan with the prefilter must report
// exactly what a scan without it reports.
import t, { type Test } from 'tap'
import fc from 'fast-check'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FIXTURES, LAB, fixtureFiles, labRuns, labScenarios, readFixture } from './helpers/fixtures.js'
import { LineClassifier, Prefilter, TEMPLATE_MODULES } from '../src/parse/prefilter.js'
import { createLineParser } from '../src/parse/line-parser.js'
import { runScan } from '../src/scan/scan.js'
import type { ScanReport } from '../src/scan/model.js'
import type { ParseResult } from '../src/types.js'

const SOURCE = { node: 'n1', file: 'f.log' }

/** The splitter's lines of a file: split at `\n`, one trailing CR removed. */
function splitLines (buf: Buffer): Buffer[] {
  const out: Buffer[] = []
  let pos = 0
  while (pos < buf.length) {
    let nl = buf.indexOf(10, pos)
    if (nl === -1) nl = buf.length
    let line = buf.subarray(pos, nl)
    if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, -1)
    out.push(line)
    pos = nl + 1
  }
  return out
}

/** The one record a single line parses to on its own (held, then flushed). */
function parseAlone (line: Buffer): ParseResult | undefined {
  const p = createLineParser({ source: SOURCE })
  const out = [...p.push(line), ...p.flush()]
  return out.length === 1 ? out[0] : undefined
}

interface Checked { noise: number; skippedLines: number; lines: number }

/**
 * Runs a file's lines through a prefilter and, alongside, through one line parser that gets every
 * line. A skipped record must parse on its own to noise (kind `vlog`, module outside the templates'
 * set, same time); a skipped continuation must be one the parser takes in silently (attached to the
 * event it holds, nothing released, nothing unparsed). Returns the first wrong skip, if any.
 */
function checkLines (lines: Buffer[]): { checked: Checked; wrong: string | null } {
  const pf = new Prefilter()
  const parser = createLineParser({ source: SOURCE })
  const checked: Checked = { noise: 0, skippedLines: 0, lines: lines.length }
  for (const line of lines) {
    const d = pf.decide(line, 0, line.length)
    const res = parser.push(line)
    if (d === 'parse') {
      pf.parsed(res)
    } else if (d === 'skip-event') {
      checked.noise++
      const r = parseAlone(line)
      if (r === undefined || r.kind !== 'vlog' || TEMPLATE_MODULES.includes(r.module) || r.timeMs !== pf.timeMs || r.continuation !== undefined) {
        return { checked, wrong: `skipped ${JSON.stringify(line.toString('latin1'))} parses to ${JSON.stringify(r)} (prefilter time ${String(pf.timeMs)})` }
      }
    } else {
      checked.skippedLines++
      if (res.length > 0) return { checked, wrong: `skipped continuation ${JSON.stringify(line.toString('latin1'))}: the parser gives ${JSON.stringify(res)}` }
    }
  }
  return { checked, wrong: null }
}

function check (t: Test, name: string, lines: Buffer[]): Checked {
  const { checked, wrong } = checkLines(lines)
  t.equal(wrong, null, `${name}: ${checked.noise} noise records and ${checked.skippedLines} continuation lines skipped, all rightly`)
  return checked
}

const logFixtures = (): string[] => fixtureFiles(['lab', 'golden', 'wrappers', 'seed-excerpts'],
  (f) => /\.(log|log\.gz|ndjson|json)$/.test(f) && !f.endsWith('.expected.json') && !['index.json', 'versions.json', 'ground_truth.json'].includes(f))

t.test('every skip over every fixture is one the parser agrees with', async (t) => {
  let noise = 0
  let lines = 0
  let skippedLines = 0
  for (const path of logFixtures()) {
    const c = check(t, path.slice(FIXTURES.length), splitLines(readFixture(path)))
    noise += c.noise
    lines += c.lines
    skippedLines += c.skippedLines
  }
  // the lab scenarios are claim-heavy, yet a good share is noise: the prefilter must actually be doing something
  t.ok(noise > lines / 10, `${noise} of ${lines} lines skipped as noise records (+ ${skippedLines} continuation lines)`)
})

t.test('the classifier on hand-made lines', async (t) => {
  const c = new LineClassifier()
  const shape = (s: string): string => { const b = Buffer.from(s); return c.shape(b, 0, b.length) }
  t.equal(shape('2024-09-05T16:38:54.123Z|00012|poll_loop|INFO|wakeup due to 0-ms timeout'), 'noise')
  t.equal(c.timeMs, Date.UTC(2024, 8, 5, 16, 38, 54, 123))
  t.equal(shape('2024-09-05T16:38:54Z|00012|inc_proc_eng(ovn_pinctrl0)|DBG|x'), 'noise')
  t.equal(c.timeMs, Date.UTC(2024, 8, 5, 16, 38, 54))
  t.equal(shape('2024-09-05T16:38:54.5|1|timeval|WARN|'), 'noise', 'no Z, one fraction digit, empty message')
  t.equal(c.timeMs, Date.UTC(2024, 8, 5, 16, 38, 54, 500))
  t.equal(shape('ovs|00001|reconnect|INFO|connected'), 'noise')
  t.equal(c.timeMs, null)
  t.equal(shape('2024-09-05T16:38:54.123Z|00012|binding|INFO|Claiming lport x for this chassis.'), 'bare', 'a template module')
  t.equal(shape('2024-09-05T16:38:54.123Z|00012|bfd|INFO|whatever'), 'bare', 'bfd lines feed the detector')
  t.equal(shape('2024-09-05T16:38:54.123Z|00012|netdev|WARN|Dropped 5 log messages in last 6 seconds (most recently, 1 seconds ago) due to excessive rate'), 'bare', 'vlog-dropped under any module')
  t.equal(shape('2023-02-29T16:38:54.123Z|00012|poll_loop|INFO|x'), 'bare', 'no such day: bad-timestamp for the parser')
  t.equal(shape('2024-13-05T16:38:54.123Z|00012|poll_loop|INFO|x'), 'bare', 'month 13: a bare line the parser rejects')
  t.equal(shape('2024-09-05T16:38:54.123Z|00012|poll_loop|NOTICE|x'), 'bare', 'bad level: the parser says why')
  t.equal(shape('2024-09-05T16:38:54.123Z|00012|poll_loop|INFO|tab\tok'), 'noise')
  t.equal(shape('2024-09-05T16:38:54.123Z|00012|poll_loop|INFO|esc\u001b[0m'), 'bare', 'control bytes: the parser judges them')
  t.equal(shape('2024-09-05T16:38:54.123Z|00012|poll_loop|INFO|caf\u00e9'), 'noise', 'valid UTF-8')
  t.equal(shape(''), 'continuation')
  t.equal(shape('  Local Flags: none'), 'continuation')
  t.equal(shape('2024-09-05T16:38:54.123456789Z stdout F 2024-09-05T16:38:54.123Z|00012|poll_loop|INFO|x'), 'other', 'CRI')
  t.equal(shape('{"log":"x"}'), 'other')
  t.equal(shape('<30>Sep  5 16:38:54 host ovs-vswitchd: ovs|00001|x|INFO|y'), 'other')
  const invalid = Buffer.concat([Buffer.from('2024-09-05T16:38:54.123Z|00012|poll_loop|INFO|'), Buffer.from([0xc3, 0x28])])
  t.equal(c.shape(invalid, 0, invalid.length), 'bare', 'invalid UTF-8')
  // a line inside a larger buffer: the bytes after `end` are the next line and must not be read
  const two = Buffer.from('2024-09-05T16:38:54.123Z|00012|poll_loop|INFO\n|x')
  t.equal(c.shape(two, 0, two.indexOf(10)), 'bare', 'the line ends inside the envelope: not noise')
})

t.test('continuations follow their record; a line of another shape turns the prefilter off', async (t) => {
  const pf = new Prefilter()
  const parser = createLineParser({ source: SOURCE })
  // as the scan does: only the lines to parse reach the parser, and it reports back
  const d = (s: string, allowSkip = true): string => {
    const b = Buffer.from(s)
    const r = pf.decide(b, 0, b.length, allowSkip)
    if (r === 'parse') pf.parsed(parser.push(b))
    return r
  }
  t.equal(d(' orphan before any record'), 'parse')
  t.equal(d('2024-09-05T16:38:54.123Z|00012|poll_loop|INFO|x'), 'skip-event')
  t.equal(d('  attached to x'), 'skip-line')
  t.equal(d(''), 'skip-line')
  t.equal(d(' \u0000\u0000 binary'), 'parse', 'a binary continuation is an Unparsed of its own')
  t.equal(d('  orphan now'), 'parse', 'nothing held after an Unparsed')
  t.equal(d('2024-09-05T16:38:54.123Z|00013|bfd|INFO|x'), 'parse')
  t.equal(d('  attached to a kept record'), 'skip-line', 'its text is not read by any rule')
  t.equal(d('2024-09-05T16:38:54.123Z|00014|poll_loop|INFO|x'), 'skip-event')
  t.equal(d('  with a few \u001b[1m colours'), 'skip-line', 'screenLine keeps it: it would be attached')
  t.equal(d('2024-09-05T16:38:54.123Z|00015|poll_loop|INFO|x', false), 'parse', 'skipping not allowed yet')
  t.equal(d('  attached to a parsed record', false), 'parse', 'nor for continuations')
  t.equal(d('2024-09-05T16:38:54.123Z|00016|poll_loop|NOTICE|x'), 'parse')
  t.equal(d('  orphan after a bad level'), 'parse', 'the bad line was an Unparsed: nothing held')
  t.equal(d('2024-09-05T16:38:54.123456789Z stdout F hello'), 'parse')
  t.equal(pf.active, false)
  t.equal(d('2024-09-05T16:38:54.123Z|00017|poll_loop|INFO|x'), 'parse', 'off for the rest of the file')
  t.equal(d('  attached'), 'parse')
})

t.test('switched off right after a skipped record: that record is handed back for the parser', async (t) => {
  const line = (s: string): Buffer => Buffer.from(s)
  const noise = '2024-09-05T16:38:54.123Z|00012|poll_loop|INFO|x'
  const cri = '2024-09-05T16:38:54.123456789Z stdout F hello'
  const run = (lines: string[]): Prefilter => {
    const pf = new Prefilter()
    const parser = createLineParser({ source: SOURCE })
    for (const l of lines) {
      const b = line(l)
      if (pf.decide(b, 0, b.length) === 'parse' && pf.active) pf.parsed(parser.push(b))
    }
    return pf
  }
  t.equal(run([noise, '  attached', cri]).replay?.toString(), noise, 'the skipped record the parser would hold')
  t.equal(run(['2024-09-05T16:38:54.123Z|00013|bfd|INFO|x', cri]).replay, null, 'a kept record is held already')
  t.equal(run([noise, '2024-09-05T16:38:54.123Z|00013|bfd|INFO|x', cri]).replay, null)
  t.equal(run([noise, ' \u0000\u0000 binary', cri]).replay, null, 'an Unparsed released the skipped record')
  t.equal(run([cri]).replay, null)
})

// ---- random and mutated lines -------------------------------------------------------------------

const SEED_LINES = [
  '2024-09-05T16:38:54.123Z|00012|poll_loop|INFO|wakeup due to [POLLIN] on fd 12 (<->/run/ovn/ovnsb_db.sock) at lib/stream-fd.c:157 (51% CPU usage)',
  '2024-09-05T16:38:54.123Z|00013|inc_proc_eng(ovn_pinctrl0)|INFO|node: logical_flow_output, recompute (forced) took 600ms',
  '2024-09-05T16:38:54Z|1|binding|INFO|Claiming lport lsp1 for this chassis.',
  '2024-02-29T23:59:59.999999Z|00001|bfd(monitor9)|INFO|genev_sys_6081: BFD state change: up->down "No Diagnostic"->"Control Detection Time Expired".',
  'ovs|00001|reconnect|WARN|unix:/run/ovn/ovnsb_db.sock: connection dropped',
  '2024-09-05T16:38:54.123Z|00014|netdev_linux|INFO|Dropped 3 log messages in last 6 seconds (most recently, 1 seconds ago) due to excessive rate',
  '2024-09-05T16:38:54.123Z|00015|bridge|INFO|bridge br-int: added interface tap1 on port 5',
  '        Local Flags: none',
  '2024-09-05T16:38:54.123456789Z stdout F 2024-09-05T16:38:54.123Z|00012|binding|INFO|Claiming lport lsp2 for this chassis.',
  '{"log":"2024-09-05T16:38:54.123Z|00012|poll_loop|INFO|x","kubernetes":{"host":"hv9"}}'
]

const mutation = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(200), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(60), byte: fc.constantFrom(0x7c, 0x28, 0x29, 0x20, 0x09, 0x2e, 0x5a, 0x30, 0x39, 0x0d, 0x00, 0x1b, 0xc3) }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat(200), byte: fc.constant(0) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(60), byte: fc.integer({ min: 0, max: 255 }) })
)

function mutate (line: string, ms: Array<{ op: 'set' | 'cut' | 'insert'; at: number; byte: number }>): Buffer {
  let b = Buffer.from(line)
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1)
    if (m.op === 'set' && at < b.length) b[at] = m.byte
    else if (m.op === 'cut') b = b.subarray(0, at)
    else if (m.op === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from([m.byte]), b.subarray(at)])
  }
  return Buffer.from(b.filter((x) => x !== 10))
}

const randomLine = fc.oneof(
  fc.tuple(fc.constantFrom(...SEED_LINES), fc.array(mutation, { maxLength: 4 })).map(([l, ms]) => mutate(l, ms)),
  fc.tuple(
    fc.date({ min: new Date(Date.UTC(100, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }),
    fc.nat(99999), fc.constantFrom('poll_loop', 'bfd', 'binding', 'Binding', 'x', '_9', 'ofproto_dpif'),
    fc.option(fc.string({ maxLength: 8 })), fc.constantFrom('INFO', 'WARN', 'DBG', 'ERR', 'EMER', 'INF'), fc.string({ maxLength: 40 }),
    fc.integer({ min: 0, max: 9 }), fc.boolean()
  ).map(([d, seq, mod, thread, level, msg, frac, z]) => {
    const iso = d.toISOString()
    const ts = iso.slice(iso.length - 24, iso.length - 5) + (frac === 0 ? '' : '.' + '123456789'.slice(0, frac)) + (z ? 'Z' : '')
    return Buffer.from(`${ts}|${String(seq).padStart(5, '0')}|${mod}${thread === null ? '' : `(${thread})`}|${level}|${msg}`.replace(/\n/g, ' '))
  }),
  fc.string({ maxLength: 30 }).map((s) => Buffer.from(' ' + s.replace(/\n/g, ' '))),
  fc.uint8Array({ maxLength: 50 }).map((a) => Buffer.from(a.filter((x) => x !== 10)))
)

t.test('random and mutated lines: every skip is right', async (t) => {
  fc.assert(fc.property(fc.array(randomLine, { minLength: 1, maxLength: 12 }), (lines) => {
    const { wrong } = checkLines(lines)
    if (wrong !== null) throw new Error(wrong)
  }), { numRuns: 3000, seed: 20261122 })
  t.pass('3000 random sequences')
})

// ---- whole scans with and without the prefilter ----------------------------------------------------

function comparable (r: ScanReport): unknown {
  return { ...r, totals: { ...r.totals, elapsedMs: 0 } }
}

t.test('a scan reports the same with and without the prefilter: every lab scenario', async (t) => {
  for (const run of labRuns()) {
    for (const scenario of labScenarios(run)) {
      const paths = [join(LAB, run, scenario)]
      const on = await runScan({ paths, compareBaseline: true })
      const off = await runScan({ paths, compareBaseline: true, prefilter: false })
      t.same(comparable(on), comparable(off), `${run}/${scenario}`)
    }
  }
})

t.test('a scan reports the same with and without the prefilter: the other fixtures and a time window', async (t) => {
  const paths = ['golden', 'wrappers', 'seed-excerpts'].map((d) => join(FIXTURES, d))
  t.same(comparable(await runScan({ paths })), comparable(await runScan({ paths, prefilter: false })), 'golden, wrappers, seed excerpts')
  const lab = [join(LAB, 'sample', '06-gateway-bfd-flap')]
  const off = await runScan({ paths: lab, prefilter: false })
  const first = off.firstMs ?? 0
  const span = (off.lastMs ?? 0) - first
  const window = { sinceMs: first + span / 4, untilMs: first + span / 2 }
  const offW = await runScan({ paths: lab, prefilter: false, ...window })
  t.ok(offW.totals.outsideWindow > 0, 'the window leaves lines out')
  t.same(comparable(await runScan({ paths: lab, ...window })), comparable(offW), 'same events inside and outside the window')
})

t.test('random files of noise, relevant lines, continuations, garbage and wrapped lines: same report', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'claimstorm-prefilter-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  let n = 0
  await fc.assert(fc.asyncProperty(fc.array(randomLine, { minLength: 1, maxLength: 60 }), fc.constantFrom(0, 1, 2), async (lines, sniff) => {
    const path = join(dir, `hv1-${n++}.log`)
    writeFileSync(path, Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])))
    const opts = { paths: [path], sniffLines: [1000, 1, 3][sniff] as number }
    const on = comparable(await runScan(opts))
    const off = comparable(await runScan({ ...opts, prefilter: false }))
    if (JSON.stringify(on) !== JSON.stringify(off)) throw new Error(`reports differ:\n${JSON.stringify(on)}\n${JSON.stringify(off)}`)
  }), { numRuns: 150, seed: 20261122 })
  t.pass('150 random files')
})
