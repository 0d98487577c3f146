// `Prefilter#skim` (a run of lines of one read chunk in one call, what the scan uses) against
// `Prefilter#decide` line by line (what test/prefilter.test.ts proves equal to full parsing): the same
// lines reach the parser, in the same order, with the same results, and the skipped lines, records,
// times and out-of-window counts add up to the same.
import t from 'tap'
import fc from 'fast-check'
import { FIXTURES, fixtureFiles, readFixture } from './helpers/fixtures.js'
import { Prefilter, type SkimTally } from '../src/parse/prefilter.js'
import { createLineParser } from '../src/parse/line-parser.js'
import { readLineBlocks, type LineBlock } from '../src/parse/read-lines.js'

interface Outcome {
  /** Each line handed to the parser, with what came out for it. */
  parsed: string[]
  tally: SkimTally
}

const newTally = (): SkimTally => ({ lines: 0, events: 0, outsideWindow: 0, firstMs: null, lastMs: null })

/** Drives a prefilter and a parser over the blocks as the scan does; `useSkim` picks the chunk path. */
function drive (blocks: LineBlock[], useSkim: boolean, sinceMs: number, untilMs: number): Outcome {
  const pf = new Prefilter()
  const parser = createLineParser({ source: { node: 'n1', file: 'f.log' } })
  const parsed: string[] = []
  const tally = newTally()
  let events = 0
  const push = (line: Buffer): void => {
    const res = parser.push(line)
    events += res.filter((r) => r.kind !== 'unparsed').length
    parsed.push(`${line.toString('latin1')} => ${JSON.stringify(res)}`)
    pf.parsed(res)
  }
  const replay = (): void => {
    if (pf.replay === null) return
    const line = pf.replay
    pf.replay = null
    // taken back from the skipped ones: the parser counts it now
    events--
    tally.events--
    const t = pf.timeMs
    if (t !== null && (t < sinceMs || t > untilMs)) tally.outsideWindow--
    const res = parser.push(line)
    events += res.filter((r) => r.kind !== 'unparsed').length
    parsed.push(`(replay) ${line.toString('latin1')} => ${JSON.stringify(res)}`)
  }
  const one = (buf: Buffer, start: number, end: number): void => {
    const d = pf.decide(buf, start, end, events > 0)
    if (d === 'parse') {
      replay()
      push(buf.subarray(start, end))
      return
    }
    tally.lines++
    if (d === 'skip-event') {
      tally.events++
      events++
      const t = pf.timeMs
      if (t !== null) {
        if (t < sinceMs || t > untilMs) tally.outsideWindow++
        else {
          if (tally.firstMs === null || t < tally.firstMs) tally.firstMs = t
          if (tally.lastMs === null || t > tally.lastMs) tally.lastMs = t
        }
      }
    }
  }
  for (const block of blocks) {
    for (const raw of block.pre) if (Buffer.isBuffer(raw)) one(raw, 0, raw.length)
    const { buf, bounds } = block
    for (let i = 0; i < bounds.length; i += 2) {
      if (useSkim && pf.active && events > 0) {
        const part = newTally()
        const stop = pf.skim(buf, bounds, i, { sinceMs, untilMs }, part)
        events += part.events
        tally.lines += part.lines
        tally.events += part.events
        tally.outsideWindow += part.outsideWindow
        if (part.firstMs !== null && (tally.firstMs === null || part.firstMs < tally.firstMs)) tally.firstMs = part.firstMs
        if (part.lastMs !== null && (tally.lastMs === null || part.lastMs > tally.lastMs)) tally.lastMs = part.lastMs
        if (stop === bounds.length) break
        i = stop
        replay()
        push(buf.subarray(bounds[i] as number, bounds[i + 1] as number))
      } else {
        one(buf, bounds[i] as number, bounds[i + 1] as number)
      }
    }
  }
  for (const r of parser.flush()) parsed.push(`(flush) ${JSON.stringify(r)}`)
  return { parsed, tally }
}

/** The file's blocks when read in chunks of `chunkBytes`, each chunk copied to byte offset `shift` of a fresh buffer (alignment). */
async function blocksOf (file: Buffer, chunkBytes: number, shift: number): Promise<LineBlock[]> {
  async function * chunks (): AsyncGenerator<Buffer> {
    for (let i = 0; i < file.length; i += chunkBytes) {
      const part = file.subarray(i, i + chunkBytes)
      const b = Buffer.alloc(part.length + shift)
      part.copy(b, shift)
      yield b.subarray(shift)
    }
  }
  const out: LineBlock[] = []
  for await (const b of readLineBlocks(chunks(), { gunzip: false })) out.push(b)
  return out
}

const logFixtures = (): string[] => fixtureFiles(['lab', 'golden', 'wrappers', 'seed-excerpts'], (f) => /\.log(\.gz)?$/.test(f))

t.test('every fixture: skim and decide hand the parser the same lines and count the same', async (t) => {
  let skipped = 0
  let lines = 0
  for (const [k, path] of logFixtures().entries()) {
    const file = readFixture(path)
    // a different chunk size and alignment per file, and a window that cuts some of them
    const blocks = await blocksOf(file, [65536, 4096, 777, 64][k % 4] as number, k % 4)
    const line = drive(blocks, false, -Infinity, Infinity)
    const skim = drive(blocks, true, -Infinity, Infinity)
    t.same(skim, line, path.slice(FIXTURES.length))
    skipped += skim.tally.lines
    lines += file.toString('latin1').split('\n').length
  }
  t.ok(skipped > lines / 10, `${skipped} of ${lines} lines skipped`)
})

const SEED = [
  '2024-09-05T16:38:54.123Z|00012|poll_loop|INFO|wakeup due to [POLLIN] on fd 12 (<->/run/ovn/ovnsb_db.sock) at lib/stream-fd.c:157 (51% CPU usage)',
  '2024-09-05T16:38:55.5|00013|inc_proc_eng(ovn_pinctrl0)|INFO|node: logical_flow_output, recompute (forced) took 600ms',
  '2024-09-05T17:00:00Z|1|binding|INFO|Claiming lport lsp1 for this chassis.',
  '2024-09-05T16:59:59.999999Z|00001|bfd(monitor9)|INFO|genev_sys_6081: BFD state change: up->down "No Diagnostic"->"Control Detection Time Expired".',
  'ovs|00001|reconnect|WARN|unix:/run/ovn/ovnsb_db.sock: connection dropped',
  '2024-09-05T16:38:54.123Z|00014|netdev_linux|INFO|Dropped 3 log messages in last 6 seconds (most recently, 1 seconds ago) due to excessive rate',
  '2024-09-05T16:38:54.123Z|00015|timeval|WARN|caf\u00e9 \u00fcber 12ms poll interval',
  '        Local Flags: none',
  '',
  '2024-09-05T16:38:54.123456789Z stdout F 2024-09-05T16:38:54.123Z|00012|binding|INFO|Claiming lport lsp2 for this chassis.'
]

const line = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...SEED).map((s) => Buffer.from(s)) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...SEED), fc.nat(200), fc.integer({ min: 0, max: 255 })).map(([s, at, byte]) => {
    const b = Buffer.from(s)
    if (b.length > 0) b[at % b.length] = byte === 10 ? 11 : byte
    return b
  }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a.filter((x) => x !== 10))) }
)

t.test('random files, chunkings, alignments and windows: same lines parsed, same counts', async (t) => {
  await fc.assert(fc.asyncProperty(
    fc.array(line, { minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 600 }), fc.nat(3), fc.constantFrom(0, 1, 2),
    async (lines, chunkBytes, shift, w) => {
      const file = Buffer.concat(lines.flatMap((l) => [l, Buffer.from(w === 2 ? '\r\n' : '\n')]))
      const blocks = await blocksOf(file, chunkBytes, shift)
      const [since, until] = w === 0 ? [-Infinity, Infinity] : [Date.UTC(2024, 8, 5, 16, 38, 55), Date.UTC(2024, 8, 5, 16, 59, 0)]
      const a = drive(blocks, false, since, until)
      const b = drive(blocks, true, since, until)
      if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`differ:\n${JSON.stringify(a)}\n${JSON.stringify(b)}`)
    }), { numRuns: 400, seed: 20261122 })
  t.pass('400 random files')
})

t.test('the clean-bytes check at every alignment and position of a bad byte', async (t) => {
  const base = '2024-09-05T16:38:54.123Z|00012|poll_loop|INFO|wakeup due to 0-ms timeout at lib/x.c:1 (5% CPU)'
  const msgAt = base.indexOf('|wakeup')
  let checked = 0
  for (let shift = 0; shift < 4; shift++) {
    for (let pos = msgAt + 1; pos < base.length; pos++) {
      for (const byte of [0x01, 0x7f, 0x1b, 0x09, 0x80, 0xc3]) {
        const line = Buffer.from(base)
        line[pos] = byte
        const buf = Buffer.alloc(line.length + shift + 4, 0x41)
        line.copy(buf, shift)
        const pf = new Prefilter()
        const d = pf.decide(buf, shift, shift + line.length)
        // tab is plain; the others are control bytes, DEL, or not UTF-8 on their own
        const want = byte === 0x09 ? 'skip-event' : 'parse'
        if (d !== want) t.fail(`byte ${byte} at ${pos}, shift ${shift}: ${d}`)
        checked++
      }
    }
  }
  t.pass(`${checked} lines`)
})
