import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { isLineIssue, openLines, readLineBatches, readLines, type RawLine } from '../src/parse/read-lines.js'
import { StormError } from '../src/errors.js'
import { FIXTURES } from './helpers/fixtures.js'

async function collect (chunks: Iterable<Buffer | string> | AsyncIterable<Buffer | string>, opts = {}): Promise<RawLine[]> {
  const out: RawLine[] = []
  for await (const l of readLines(Readable.from(chunks), opts)) out.push(l)
  return out
}
const texts = (lines: RawLine[]): string[] => lines.map((l) => (isLineIssue(l) ? `<${l.code}:${l.bytes}>` : l.toString('utf8')))

t.test('LF, CRLF, empty lines, last line without newline', async (t) => {
  t.same(texts(await collect([Buffer.from('a\nb\r\n\nc')])), ['a', 'b', '', 'c'])
  t.same(texts(await collect([Buffer.from('a\n')])), ['a'])
  t.same(texts(await collect([])), [])
  t.same(texts(await collect([Buffer.alloc(0)])), [])
  t.same(texts(await collect(['x\n', 'y'])), ['x', 'y'], 'string chunks')
  t.same(texts(await collect([Buffer.from('a\r'), Buffer.from('\nb')])), ['a', 'b'], 'CR and LF in different chunks')
  t.same(texts(await collect([Buffer.from('a\rb\n')])), ['a\rb'], 'a lone CR inside a line stays')
})

t.test('any chunking gives the same lines, multi-byte characters included', async (t) => {
  const text = 'héllo wörld\n2024-05-14T09:12:03.118Z|04211|binding|INFO|ü\r\n\n😀 end'
  const whole = texts(await collect([Buffer.from(text)]))
  const bytes = Buffer.from(text)
  for (const size of [1, 2, 3, 7]) {
    const chunks: Buffer[] = []
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size))
    t.same(texts(await collect(chunks)), whole, `chunks of ${size}`)
  }
  t.same(whole, ['héllo wörld', '2024-05-14T09:12:03.118Z|04211|binding|INFO|ü', '', '😀 end'])
})

t.test('NUL bytes and invalid UTF-8 pass through as bytes for the line parser to judge', async (t) => {
  const lines = await collect([Buffer.from([0x61, 0x00, 0x62, 0x0a, 0xff, 0xfe, 0x0a])])
  t.same(lines.map((l) => (isLineIssue(l) ? null : [...l])), [[0x61, 0x00, 0x62], [0xff, 0xfe]])
})

t.test('a 10 MB line is one too-long issue, never held whole; the next line is intact', async (t) => {
  const chunk = Buffer.alloc(64 * 1024, 0x41)
  async function * source (): AsyncGenerator<Buffer> {
    yield Buffer.from('first\n')
    for (let sent = 0; sent < 10 * 1024 * 1024; sent += chunk.length) yield chunk
    yield Buffer.from('\nlast\n')
  }
  const lines = await collect(source())
  t.same(texts(lines), ['first', `<too-long:${10 * 1024 * 1024}>`, 'last'])
  const issue = lines[1]
  if (!isLineIssue(issue)) throw new Error('expected an issue')
  t.ok(issue.head.length <= 4096 && issue.head.length > 0)
  t.match(issue.detail, /maxLineBytes/)
  const small = await collect([Buffer.from('12345\n123456\n1234567')], { maxLineBytes: 6 })
  t.same(texts(small), ['12345', '123456', '<too-long:7>'], 'at the limit is kept, over it is not; also at end of input')
  const crossing = await collect([Buffer.from('abc'), Buffer.from('defgh'), Buffer.from('ij\nok\n')], { maxLineBytes: 6 })
  t.same(texts(crossing), ['<too-long:10>', 'ok'])
  const c0 = crossing[0]
  t.equal(isLineIssue(c0) && c0.head.toString(), 'abcdefghij')
  await t.rejects(collect([Buffer.from('x')], { maxLineBytes: 0 }), StormError)
})

t.test('gzip is detected by its magic bytes, members concatenated, corrupt data reported', async (t) => {
  const text = 'one\ntwo\r\nthree'
  t.same(texts(await collect([gzipSync(text)])), ['one', 'two', 'three'])
  const gz = gzipSync(text)
  t.same(texts(await collect([gz.subarray(0, 1), gz.subarray(1, 5), gz.subarray(5)])), ['one', 'two', 'three'], 'magic split over chunks')
  t.same(texts(await collect([Buffer.concat([gzipSync('a\nb'), gzipSync('c\n')])])), ['a', 'bc'], 'members are one stream')
  t.same(texts(await collect([gzipSync(text)], { gunzip: false })).length > 0, true)
  const big = gzipSync(Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n'))
  const cut = await collect([big.subarray(0, big.length - 200)])
  const last = cut[cut.length - 1]
  t.ok(isLineIssue(last) && last.code === 'truncated', 'truncated gzip ends with a truncated issue')
  t.match(isLineIssue(last) ? last.detail : '', /gzip/)
  t.ok(cut.length > 100, 'what was decoded before the break is kept')
  t.same(texts(cut.slice(0, 3)), ['line 0', 'line 1', 'line 2'])
  const garbage = await collect([Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5])])
  t.same(garbage.map((l) => isLineIssue(l) && l.code), ['truncated'])
})

t.test('a truncated gzip gives the same lines however fast they are read', async (t) => {
  // A stream that buffers decompressed data drops it when the corrupt end destroys it, and zlib fails the
  // last chunk written before end() without emitting it: either way the count depended on the reader's pace.
  const gz = gzipSync(Array.from({ length: 30000 }, (_, i) => `2026-11-22T07:45:00.000Z|${String(i).padStart(5, '0')}|binding|INFO|line ${i}`).join('\n'))
  const cut = gz.subarray(0, gz.length >> 1)
  const chunked = (size: number): Buffer[] => Array.from({ length: Math.ceil(cut.length / size) }, (_, i) => cut.subarray(i * size, (i + 1) * size))
  const read = async (size: number, pauseMs: number): Promise<string[]> => {
    const out: RawLine[] = []
    for await (const b of readLineBatches(Readable.from(chunked(size)))) {
      out.push(...b)
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs))
    }
    return texts(out)
  }
  const fast = await read(16384, 0)
  t.ok(fast.length > 10000, `${fast.length} lines before the break`)
  t.match(fast.at(-1), /^<truncated:/)
  t.same(await read(16384, 15), fast, 'a slow reader gets the same lines')
  t.same(await read(65536, 0), fast, 'larger input chunks: the same lines')
  t.same(await read(65536, 15), fast, 'larger input chunks, slow reader')
  t.same(await read(cut.length, 0), fast, 'one input chunk')
})

t.test('openLines: by content not name; a missing file names itself', async (t) => {
  const dir = t.testdir({})
  const path = join(dir, 'ovs-vswitchd.log.1')
  writeFileSync(path, gzipSync('a\nb\n'))
  const got: string[] = []
  for await (const l of openLines(path)) got.push(isLineIssue(l) ? '!' : l.toString())
  t.same(got, ['a', 'b'])
  const missing = join(dir, 'nope.log')
  await t.rejects(async () => { for await (const _ of openLines(missing)) void _ }, { code: 'E_IO', message: new RegExp(missing.replace(/[/.]/g, '\\$&')) })
  const lab = join(FIXTURES, 'lab', 'sample', '00-setup', 'gw1', 'ovn-controller.log.gz')
  let n = 0
  for await (const l of openLines(lab)) if (!isLineIssue(l) && /^\d{4}-/.test(l.toString())) n++
  t.ok(n > 10, 'a real gzipped lab log')
  await t.rejects(async () => { for await (const _ of openLines(dir)) void _ }, { code: 'E_IO' }, 'a directory is an I/O error')
})

t.test('batches follow the input chunks', async (t) => {
  const batches: number[] = []
  for await (const b of readLineBatches(Readable.from([Buffer.from('a\nb\n'), Buffer.from('c\n')]))) batches.push(b.length)
  t.same(batches, [2, 1])
})

t.test('an I/O error of the source is thrown, not hidden', async (t) => {
  async function * failing (): AsyncGenerator<Buffer> {
    yield Buffer.from('a\n')
    throw new Error('EIO: disk gone')
  }
  await t.rejects(collect(failing()), /EIO/)
  async function * failingGz (): AsyncGenerator<Buffer> {
    const gz = gzipSync('a\nb\n'.repeat(1000))
    yield gz.subarray(0, 100)
    throw new Error('EIO: disk gone')
  }
  await t.rejects(collect(failingGz()), /EIO/)
})
