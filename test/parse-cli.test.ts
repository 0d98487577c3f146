import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough, Readable, Writable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { runCli } from './helpers/cli.js'
import { FIXTURES, LAB, readFixture } from './helpers/fixtures.js'
import { main, type CliIo } from '../src/cli.js'
import type { ParseResult } from '../src/types.js'

const CLAIM = '2026-11-22T07:44:24.849Z|00291|binding|INFO|Changing chassis for lport cr-lrp-83cee638-ce95-4eb1-b59b-1616db71fa90 from gw2 to gw1.'
const VSWITCHD_GZ = join(LAB, 'sample', '06-gateway-bfd-flap', 'gw1', 'ovs-vswitchd.log.gz')
const CRI = join(FIXTURES, 'wrappers', 'cri-partial-bfd.log')

const ndjson = (s: string): ParseResult[] => s.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as ParseResult)

t.test('stdin: one JSON object per record, summary on stderr', async (t) => {
  const r = await runCli(['parse'], { stdin: `${CLAIM}\nnot a log line\n\n${CLAIM}\r\n` })
  t.equal(r.code, 0)
  const out = ndjson(r.stdout)
  t.same(out.map((x) => x.kind), ['lport-chassis-change', 'unparsed', 'unparsed', 'lport-chassis-change'])
  t.match(r.stderr, /lines read: 4\b/)
  t.match(r.stderr, /events: 2 \(lport-chassis-change 2\)/)
  t.match(r.stderr, /unparsed: 2 \((empty 1, not-vlog 1|not-vlog 1, empty 1)\)/)
  const dash = await runCli(['parse', '-'], { stdin: CLAIM })
  t.equal(ndjson(dash.stdout).length, 1, '"-" is stdin')
})

t.test('a gzipped file: same output as its plain text, continuation blocks attached', async (t) => {
  const dir = t.testdir({})
  const plain = join(dir, 'ovs-vswitchd.log')
  writeFileSync(plain, readFixture(VSWITCHD_GZ))
  const gz = await runCli(['parse', VSWITCHD_GZ])
  const txt = await runCli(['parse', plain])
  t.equal(gz.code, 0)
  const a = ndjson(gz.stdout)
  const b = ndjson(txt.stdout)
  t.equal(a.length, b.length)
  t.same(a.map((x) => ({ ...x, source: undefined })), b.map((x) => ({ ...x, source: undefined })))
  t.equal(a[0]?.source.file, VSWITCHD_GZ, 'source.file is the path')
  const lines = readFixture(VSWITCHD_GZ).toString().replace(/\n$/, '').split('\n').length
  t.match(gz.stderr, new RegExp(`lines read: ${lines}\\b`))
  t.ok(a.some((x) => x.kind === 'bfd-state-change' && (x.continuation?.length ?? 0) > 20))
})

t.test('a missing file is named, exit 3, the other files still parsed', async (t) => {
  const r = await runCli(['parse', 'no/such/file.log', CRI])
  t.equal(r.code, 3)
  t.match(r.stderr, /no\/such\/file\.log/)
  t.match(r.stderr, /ENOENT/)
  t.ok(ndjson(r.stdout).some((x) => x.kind === 'bfd-state-change'), 'the readable file was parsed')
  t.match(r.stderr, /lines read: \d+/, 'summary still printed')
})

t.test('options: --wrapper, --node, --kinds, --no-unparsed, --max-line-bytes', async (t) => {
  const cri = await runCli(['parse', '--wrapper', 'cri', '--node', 'gw1', CRI])
  const out = ndjson(cri.stdout)
  t.ok(out.length > 0 && out.every((x) => x.source.node === 'gw1' && x.source.wrapper === 'cri'))
  t.match(cri.stderr, /partial lines joined: 2/)
  const forcedWrong = await runCli(['parse', '--wrapper', 'cri'], { stdin: CLAIM + '\n' })
  t.same(ndjson(forcedWrong.stdout).map((x) => x.kind === 'unparsed' && x.code), ['bad-wrapper'])
  const wrappedNode = await runCli(['parse', '--node', 'fallback'], { stdin: JSON.stringify({ log: CLAIM, kubernetes: { host: 'gw7' } }) + '\n' + CLAIM + '\n' })
  t.same(ndjson(wrappedNode.stdout).map((x) => x.source.node), ['gw7', 'fallback'], 'wrapper metadata wins over --node')
  const kinds = await runCli(['parse', '--kinds', 'bfd-state-change,unparsed', VSWITCHD_GZ, CRI])
  const k = ndjson(kinds.stdout)
  t.ok(k.length > 0 && k.every((x) => x.kind === 'bfd-state-change' || x.kind === 'unparsed'))
  t.match(kinds.stderr, /vlog \d+/, 'the summary still counts everything')
  const noUnparsed = await runCli(['parse', '--no-unparsed'], { stdin: `${CLAIM}\ngarbage\n` })
  t.same(ndjson(noUnparsed.stdout).map((x) => x.kind), ['lport-chassis-change'])
  t.match(noUnparsed.stderr, /unparsed: 1/)
  const long = await runCli(['parse', '--max-line-bytes', '100'], { stdin: `${CLAIM}\n${'x'.repeat(50)}\n` })
  t.same(ndjson(long.stdout).map((x) => x.kind === 'unparsed' ? x.code : x.kind), ['too-long', 'not-vlog'])
})

t.test('usage errors exit 3 with a message', async (t) => {
  for (const args of [['--wrapper', 'xml'], ['--max-line-bytes', '0'], ['--max-line-bytes', '1e3'], ['--kinds', 'claims']]) {
    const r = await runCli(['parse', ...args], { stdin: CLAIM })
    t.equal(r.code, 3, args.join(' '))
    t.match(r.stderr, /claimstorm parse: /)
    t.equal(r.stdout, '')
  }
})

t.test('bad bytes, binary garbage and a corrupt gzip do not stop the run', async (t) => {
  const dir = t.testdir({})
  const gz = gzipSync(Array.from({ length: 3000 }, () => CLAIM).join('\n'))
  const broken = join(dir, 'broken.log.gz')
  writeFileSync(broken, gz.subarray(0, gz.length - 100))
  const input = Buffer.concat([Buffer.from(CLAIM + '\n'), Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x02, 0x03, 0x0a]), Buffer.from(`${CLAIM.slice(0, 60)}\u00e9`, 'latin1'), Buffer.from('\n' + CLAIM)])
  const r = await runCli(['parse', '-', broken], { stdin: input })
  t.equal(r.code, 0, 'file content is never an error')
  const out = ndjson(r.stdout)
  t.same(out.slice(0, 4).map((x) => x.kind === 'unparsed' ? x.code : x.kind), ['lport-chassis-change', 'binary', 'invalid-utf8', 'lport-chassis-change'])
  const last = out.at(-1)
  t.equal(last?.kind === 'unparsed' && last.code, 'truncated')
  t.ok(out.filter((x) => x.kind === 'lport-chassis-change').length > 1000)
})

function io (stdout: Writable, stdin = ''): { io: CliIo; err: () => string } {
  const stderr = new PassThrough()
  const chunks: Buffer[] = []
  stderr.on('data', (b: Buffer) => chunks.push(b))
  return {
    io: { stdin: Readable.from([Buffer.from(stdin)]), stdout, stderr, stderrIsTTY: false, stdoutIsTTY: false, env: {} },
    err: () => Buffer.concat(chunks).toString()
  }
}

t.test('EPIPE on stdout: exit 0, quietly', async (t) => {
  let writes = 0
  const stdout = new Writable({
    highWaterMark: 16,
    write (_chunk, _enc, cb) {
      writes++
      const e = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })
      cb(e)
    }
  })
  const { io: cliIo, err } = io(stdout)
  const code = await main(['node', 'claimstorm', 'parse', VSWITCHD_GZ, VSWITCHD_GZ], cliIo)
  t.equal(code, 0)
  t.equal(err(), '')
  t.ok(writes >= 1 && writes <= 2, 'stopped writing after the pipe broke')
})

t.test('a slow reader: output waits for drain and nothing is lost', async (t) => {
  const got: Buffer[] = []
  let waits = 0
  const stdout = new Writable({
    highWaterMark: 1024,
    write (chunk: Buffer, _enc, cb) {
      got.push(chunk)
      waits++
      setTimeout(cb, 1)
    }
  })
  const big = Array.from({ length: 3000 }, (_, i) => CLAIM.replace('00291', String(i).padStart(5, '0'))).join('\n') + '\n'
  const { io: cliIo } = io(stdout, big)
  const code = await main(['node', 'claimstorm', 'parse'], cliIo)
  t.equal(code, 0)
  const out = ndjson(Buffer.concat(got).toString())
  t.equal(out.length, 3000)
  t.same(out.map((x) => (x.kind === 'unparsed' ? -1 : x.seq)), Array.from({ length: 3000 }, (_, i) => i), 'in order')
  t.ok(waits > 1)
})

t.test('--help lists the options', async (t) => {
  const r = await runCli(['parse', '--help'])
  t.equal(r.code, 0)
  for (const o of ['--wrapper', '--node', '--max-line-bytes', '--kinds', '--no-unparsed']) t.match(r.stdout, o)
  t.ok(readFileSync(CRI).length > 0)
})

t.test('a live pipe that pauses: the held record is written without waiting for the next line', async (t) => {
  const got: string[] = []
  let resume: (() => void) | undefined
  const firstOutput = new Promise<void>((resolve) => { resume = resolve })
  const stdout = new Writable({
    write (chunk: Buffer, _enc, cb) {
      got.push(chunk.toString())
      resume?.()
      cb()
    }
  })
  let waitedForOutput = false
  async function * live (): AsyncGenerator<Buffer> {
    yield Buffer.from(CLAIM + '\n')
    // the next line is only sent once the first record came out (or after a generous guard)
    let timer: NodeJS.Timeout | undefined
    const guard = new Promise<string>((resolve) => { timer = setTimeout(() => resolve('guard'), 5000) })
    waitedForOutput = (await Promise.race([firstOutput.then(() => 'output'), guard])) === 'output'
    clearTimeout(timer)
    yield Buffer.from(CLAIM.replace('00291', '00292') + '\n')
  }
  const { io: cliIo } = io(stdout)
  cliIo.stdin = Readable.from(live())
  const code = await main(['node', 'claimstorm', 'parse'], cliIo)
  t.equal(code, 0)
  t.ok(waitedForOutput, 'the first record was written while the input was paused')
  t.same(ndjson(got.join('')).map((x) => x.kind === 'unparsed' ? -1 : x.seq), [291, 292])
})
