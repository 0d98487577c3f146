// The scan reads lines as offsets into the read chunks (`readLineBlocks`): the same lines, line issues
// and order as the one-Buffer-per-line reader gave, however the input is chunked.
import t from 'tap'
import fc from 'fast-check'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { isLineIssue, readLineBlocks, type LineBlock, type RawLine } from '../src/parse/read-lines.js'

const show = (l: RawLine): string => (isLineIssue(l) ? `<${l.code}:${l.bytes}>` : l.toString('latin1'))

async function blocks (chunks: Buffer[], maxLineBytes?: number): Promise<LineBlock[]> {
  const out: LineBlock[] = []
  for await (const b of readLineBlocks(Readable.from(chunks), maxLineBytes === undefined ? {} : { maxLineBytes })) out.push(b)
  return out
}

function linesOf (bs: LineBlock[]): string[] {
  const out: string[] = []
  for (const b of bs) {
    for (const l of b.pre) out.push(show(l))
    for (let i = 0; i < b.bounds.length; i += 2) out.push(b.buf.toString('latin1', b.bounds[i], b.bounds[i + 1]))
  }
  return out
}

/** What the lines must be: split at LF, one trailing CR off, lines over the limit as issues. */
function expected (bytes: Buffer, max: number): string[] {
  const parts = bytes.toString('latin1').split('\n')
  if (parts.at(-1) === '') parts.pop()
  return parts.map((p) => (Buffer.byteLength(p, 'latin1') > max ? `<too-long:${p.length}>` : p.endsWith('\r') ? p.slice(0, -1) : p))
}

t.test('lines inside a chunk are offsets into it, not copies', async (t) => {
  const chunk = Buffer.from('a\r\nbb\n\nccc\npart')
  const bs = await blocks([chunk, Buffer.from('ial\n')])
  t.equal(bs[0]?.buf, chunk)
  t.same(bs[0]?.bounds, [0, 1, 3, 5, 6, 6, 7, 10])
  t.same(linesOf(bs), ['a', 'bb', '', 'ccc', 'partial'], 'a line across reads comes first in the next block')
})

t.test('an over-long line inside a chunk leads a new block, so the order is kept', async (t) => {
  const bs = await blocks([Buffer.from('ok\nxxxxxxxxxx\nfine\n')], 5)
  t.same(linesOf(bs), ['ok', '<too-long:10>', 'fine'])
  t.equal(bs.length, 2)
  t.same(bs[1]?.pre.map(show), ['<too-long:10>'])
})

t.test('random bytes, chunkings and limits: the same lines as splitting the whole text', async (t) => {
  const lineArb = fc.oneof(
    fc.string({ maxLength: 12 }).map((s) => s.replace(/\n/g, '')),
    fc.constantFrom('', '\r', 'x\r', '2024-09-05T16:38:54.123Z|00012|poll_loop|INFO|x')
  )
  await fc.assert(fc.asyncProperty(fc.array(lineArb, { maxLength: 20 }), fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 60 }), fc.boolean(), async (lines, sizes, max, gz) => {
    const text = Buffer.from(lines.map((l) => l + '\n').join(''), 'latin1')
    const input = gz ? gzipSync(text) : text
    const chunks: Buffer[] = []
    for (let i = 0, k = 0; i < input.length; k++) {
      const n = sizes[k % sizes.length] as number
      chunks.push(input.subarray(i, i + n))
      i += n
    }
    const got = linesOf(await blocks(chunks, max))
    const want = expected(text, max)
    if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${JSON.stringify(got)} != ${JSON.stringify(want)}`)
  }), { numRuns: 400, seed: 7 })
  t.pass('400 random inputs')
})
