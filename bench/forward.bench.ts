// Forward receive path throughput, records/s, against a baseline measured in the same process:
//   forward-decode   FrameBuffer (997-byte reads) + decodeFrame over the real Fluent Bit capture
//                    default.bin, vs. @msgpack/msgpack decodeMulti of the same bytes in one piece
//                    (no framing, no validation): the cost of reassembly and shape checks.
//   forward-decode-shared  the same with shareRepeatedMaps (what serve uses: each pod's kubernetes map
//                    decoded once), vs. the baseline above.
//   forward-gzip     the same for gzip.bin (+ inflate), vs. the baseline above.
//   forward-loopback ForwardServer over 127.0.0.1 with acks (ack.bin frames replayed on one connection,
//                    each ack awaited like Fluent Bit does), vs. forward-decode.
//
//   node --expose-gc --import tsx bench/forward.bench.ts [--rounds N]   (N replays of the capture per round)
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import { Decoder } from '@msgpack/msgpack'
import { FrameBuffer } from '../src/adapters/forward/framer.js'
import { decodeFrame, decodePackedEntries, eventTimeCodec, inflate, type DecodeLimits } from '../src/adapters/forward/decode.js'
import { ForwardServer } from '../src/adapters/forward/server.js'

const argRounds = process.argv.indexOf('--rounds')
const REPEAT = argRounds === -1 ? 400 : Number(process.argv[argRounds + 1])
const FIX = fileURLToPath(new URL('../test/fixtures/fluent-bit-forward/', import.meta.url))
const DEFAULT = readFileSync(FIX + 'default.bin')
const GZIP = readFileSync(FIX + 'gzip.bin')
const ACK = readFileSync(FIX + 'ack.bin')
const RECORDS = 190
const LIMITS = { maxEntriesPerFrame: 1_000_000 }
const SHARED = { maxEntriesPerFrame: 1_000_000, shareRepeatedMaps: true }

const rssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024)
const gcNow = (): void => { (globalThis as { gc?: () => void }).gc?.() }
const seconds = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e9
const figures: object[] = []
function baseline (): number {
  const dec = new Decoder({ extensionCodec: eventTimeCodec })
  gcNow()
  const t0 = process.hrtime.bigint()
  let n = 0
  for (let r = 0; r < REPEAT; r++) {
    for (const frame of dec.decodeMulti(DEFAULT)) n += ((frame as unknown[])[1] as unknown[]).length
  }
  return n / seconds(t0)
}

async function framed (bytes: Buffer, limits: DecodeLimits = LIMITS): Promise<number> {
  gcNow()
  const t0 = process.hrtime.bigint()
  let n = 0
  for (let r = 0; r < REPEAT; r++) {
    const fb = new FrameBuffer(16 * 1024 * 1024)
    for (let i = 0; i < bytes.length; i += 997) {
      fb.push(bytes.subarray(i, i + 997))
      for (let step = fb.next(); step.kind === 'frame'; step = fb.next()) {
        const d = decodeFrame(step.bytes, limits, step.tops)
        if (!d.ok) throw new Error(d.fault.detail)
        if (d.frame.kind === 'events') n += d.frame.entries.length
        else if (d.frame.kind === 'compressed') {
          const inflated = await inflate(d.frame.payload, 64 * 1024 * 1024)
          if (!inflated.ok) throw new Error(inflated.fault.detail)
          const e = decodePackedEntries(inflated.bytes, limits)
          if (!e.ok) throw new Error(e.fault.detail)
          n += e.entries.length
        }
      }
    }
  }
  if (n !== REPEAT * RECORDS) throw new Error(`decoded ${n} records, expected ${REPEAT * RECORDS}`)
  return n / seconds(t0)
}

async function loopback (): Promise<number> {
  let n = 0
  const server = new ForwardServer({ onBatch: (b) => { n += b.entries.length } })
  const { port } = await server.listen({ port: 0 })
  const frames = [ACK.subarray(0, 23602), ACK.subarray(23602)]
  const socket = connect({ port, host: '127.0.0.1' })
  await new Promise<void>((resolve) => socket.once('connect', () => { resolve() }))
  let acked = 0
  let wake: () => void = () => {}
  socket.on('data', (c: Buffer) => { acked += c.length; wake() })
  gcNow()
  const t0 = process.hrtime.bigint()
  for (let r = 0; r < REPEAT; r++) {
    for (const f of frames) {
      const want = acked + 30
      socket.write(f)
      while (acked < want) await new Promise<void>((resolve) => { wake = resolve })
    }
  }
  const rate = n / seconds(t0)
  socket.end()
  await server.close()
  if (n !== REPEAT * RECORDS) throw new Error(`delivered ${n} records, expected ${REPEAT * RECORDS}`)
  return rate
}

// Rounds interleave the four measurements so that load from other processes hits them alike;
// each figure is the median over rounds of its rate, its ratio the median of per-round ratios.
const ROUNDS = 5
const rows: Array<{ base: number, plain: number, shared: number, gz: number, tcp: number }> = []
for (let r = 0; r < ROUNDS; r++) {
  rows.push({ base: baseline(), plain: await framed(DEFAULT), shared: await framed(DEFAULT, SHARED), gz: await framed(GZIP), tcp: await loopback() })
}
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] as number }
function report (bench: string, value: (row: typeof rows[number]) => number, baseline: (row: typeof rows[number]) => number): void {
  figures.push({
    bench,
    value: Math.round(median(rows.map(value))),
    unit: 'records/s',
    baseline: Math.round(median(rows.map(baseline))),
    ratio: Math.round(median(rows.map((row) => value(row) / baseline(row))) * 1000) / 1000,
    rssMB: rssMB()
  })
}
report('forward-decode', (x) => x.plain, (x) => x.base)
report('forward-decode-shared', (x) => x.shared, (x) => x.base)
report('forward-gzip', (x) => x.gz, (x) => x.base)
report('forward-loopback', (x) => x.tcp, (x) => x.plain)
for (const f of figures) process.stdout.write(JSON.stringify(f) + '\n')
