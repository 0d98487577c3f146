// The line parser's plain-line shortcuts (a Buffer of plain bytes read as a bare vlog line or its
// continuation, without screening and unwrapping) against the same parser with them off: same results,
// in the same pushes, and the same counters, for every fixture and for generated lines.
import t from 'tap'
import fc from 'fast-check'
import { isDeepStrictEqual } from 'node:util'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES, readFixture } from './helpers/fixtures.js'
import { createLineParser, createReferenceLineParser, type LineParserOptions } from '../src/parse/line-parser.js'
import type { ParseResult } from '../src/types.js'

function files (dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...files(path))
    else out.push(path)
  }
  return out
}

/** The lines of `data` as subarrays of one copy of it placed `shift` bytes into its memory (the word checks see every alignment). */
function lines (data: Buffer, shift: number): Buffer[] {
  const mem = Buffer.alloc(data.length + shift)
  data.copy(mem, shift)
  const buf = mem.subarray(shift)
  const out: Buffer[] = []
  let start = 0
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, start)) {
    out.push(buf.subarray(start, i))
    start = i + 1
  }
  if (start < buf.length) out.push(buf.subarray(start))
  return out
}

/** Pushes `input` into both parsers; the first difference, or undefined. */
function differ (input: Array<Buffer | string>, options: LineParserOptions): string | undefined {
  const fast = createLineParser(options)
  const ref = createReferenceLineParser(options)
  const show = (r: ParseResult[]): string => JSON.stringify(r).slice(0, 600)
  for (let i = 0; i < input.length; i++) {
    const line = input[i] as Buffer | string
    const a = fast.push(line)
    const b = ref.push(line)
    if (!isDeepStrictEqual(a, b)) return `line ${i} ${JSON.stringify(line.toString())}:\n shortcut  ${show(a)}\n reference ${show(b)}`
  }
  const a = fast.flush()
  const b = ref.flush()
  if (!isDeepStrictEqual(a, b)) return `flush:\n shortcut  ${show(a)}\n reference ${show(b)}`
  if (!isDeepStrictEqual(fast.stats, ref.stats)) return `stats:\n shortcut  ${JSON.stringify(fast.stats)}\n reference ${JSON.stringify(ref.stats)}`
  return undefined
}

const OPTIONS: LineParserOptions[] = [
  {},
  { wrapper: 'bare', source: { node: 'gw1', file: 'x.log' } },
  { maxLineBytes: 96, maxContinuationLines: 3, maxContinuationBytes: 100, maxOpenSources: 1, maxHoldLines: 2, maxUnparsedTextBytes: 40 }
]

t.test('every fixture file, as lines from a read chunk, gives the same results with and without the shortcuts', async (t) => {
  const all = files(FIXTURES)
  t.ok(all.length > 100, 'fixtures found')
  for (const path of all) {
    const data = readFixture(path)
    const name = path.slice(FIXTURES.length)
    for (const [k, options] of OPTIONS.entries()) {
      // every alignment once per file, spread over the option sets
      for (const shift of k === 0 ? [0, 1, 2, 3] : [k]) {
        const d = differ(lines(data, shift), options)
        if (d !== undefined) t.fail(`${name} (options ${k}, shift ${shift}): ${d}`)
      }
    }
  }
  t.pass(`${all.length} files compared`)
})

t.test('the lab logs go through the shortcut into events', async (t) => {
  // the shortcut is the path these lines take: the comparison above is not vacuous
  const data = readFixture(join(FIXTURES, 'lab', 'sample', '06-gateway-bfd-flap', 'gw1', 'ovs-vswitchd.log.gz'))
  const p = createLineParser()
  const out: ParseResult[] = []
  for (const l of lines(data, 1)) out.push(...p.push(l))
  out.push(...p.flush())
  t.ok(out.some((r) => r.kind === 'bfd-state-change'))
  t.ok(p.stats.continuationLines > 0)
  t.equal(p.stats.unparsed, 0)
})

// generated lines: vlog records and continuations with bytes the shortcut must refuse or accept
const RECORD = '2026-11-22T07:44:24.849Z|00291|binding|INFO|Changing chassis for lport cr-lrp-1 from gw2 to gw1.'
const pieces = fc.constantFrom(
  RECORD, '2026-11-22T07:44:24.849Z|00292|bfd(monitor7)|INFO|ovn-hv2-0: BFD state change: up->down "No Diagnostic"->"Control Detection Time Expired".',
  'ovs|00001|bfd|INFO|x', '  Forwarding: true', '\tTX Interval: 1000ms', '', ' ', '12 not | vlog', '1|2', '7', 'o', 'ovs', 'ovs|',
  '2024-05-14T09:12:03Z gw1 ovs-vswitchd[1]: ovs|00001|bridge|INFO|y', '2026-11-22T07:44:24.849634567Z stdout P 2026-11-22T07:44:24.849Z|00291|bin',
  '2026-11-22T07:44:24.849634567Z stdout F ding|INFO|x', '{"log":"2026-11-22T07:44:24.849Z|00001|binding|INFO|y\\n"}', 'Nov 22 07:44:24 gw1 ovn-controller[7]: x',
  '2026-02-30T07:44:24.849Z|00001|binding|INFO|bad date', '\uFEFF' + RECORD
)
const oddBytes = fc.constantFrom(0x00, 0x01, 0x08, 0x09, 0x0a, 0x0b, 0x0d, 0x1a, 0x1b, 0x1f, 0x20, 0x7c, 0x7e, 0x7f, 0x80, 0xc3, 0xa9, 0xe2, 0xef, 0xbb, 0xbf, 0xff)
const line = fc.tuple(pieces, fc.array(fc.tuple(fc.nat(200), oddBytes), { maxLength: 3 }), fc.boolean(), fc.nat(3)).map(([text, edits, crlf, cut]) => {
  const bytes = [...Buffer.from(text, 'utf8')]
  for (const [at, b] of edits) bytes.splice(at % (bytes.length + 1), 0, b)
  if (crlf) bytes.push(0x0d)
  return Buffer.from(cut === 0 ? bytes.slice(0, Math.floor(bytes.length / 2)) : bytes)
})

t.test('generated lines give the same results with and without the shortcuts', async (t) => {
  for (const options of OPTIONS) {
    fc.assert(fc.property(fc.array(line, { maxLength: 30 }), fc.nat(3), (ls, shift) => {
      const input = lines(Buffer.concat(ls.flatMap((l) => [l, Buffer.from('\n')])), shift)
      const d = differ(input, options)
      if (d !== undefined) throw new Error(d)
    }), { numRuns: 300, seed: 42 })
  }
  t.pass('no difference')
})

t.test('string lines, and Buffers not from a read chunk, are unchanged by the shortcuts', async (t) => {
  const texts = [RECORD, '  Forwarding: true', '', 'x\u0001y', RECORD + '\r', '\u0000\u0000' + RECORD, 'é ' + RECORD]
  for (const options of OPTIONS) {
    t.equal(differ(texts, options), undefined)
    t.equal(differ(texts.map((s) => Buffer.from(s)), options), undefined)
  }
})
