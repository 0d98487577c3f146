// FrameBuffer + decodeFrame on their own: 1-byte reassembly of every capture, header limits,
// hand-built frames for shapes Fluent Bit did not send.
import t from 'tap'
import { gzipSync } from 'node:zlib'
import { Encoder } from '@msgpack/msgpack'
import { FrameBuffer } from '../src/adapters/forward/framer.js'
import { decodeFrame, decodePackedEntries, EventTimeValue, eventTimeCodec, inflate, timeToMs } from '../src/adapters/forward/decode.js'
import type { ForwardEntry } from '../src/adapters/forward/types.js'
import { VARIANTS, capture, expectedRecords, maxTimeDiff, withoutTime } from './helpers/forward.js'
import type { ExpectedRecord } from './helpers/forward.js'

const enc = new Encoder({ extensionCodec: eventTimeCodec })
const LIMITS = { maxEntriesPerFrame: 1000 }

/** Feeds `bytes` in `piece`-sized reads and decodes every frame (handshake frames skipped). */
async function decodeStream (bytes: Buffer, piece: number, maxFrameBytes = 16 * 1024 * 1024): Promise<ExpectedRecord[]> {
  const fb = new FrameBuffer(maxFrameBytes)
  const out: ExpectedRecord[] = []
  const push = (tag: string, entries: ForwardEntry[]): void => {
    for (const e of entries) out.push({ tag, time: e.timeMs / 1000, record: e.record, ...(e.metadata !== undefined ? { metadata: e.metadata } : {}) })
  }
  for (let i = 0; i < bytes.length; i += piece) {
    // Copy each piece: the framer must not depend on the reads staying contiguous.
    fb.push(Buffer.from(bytes.subarray(i, i + piece)))
    for (;;) {
      const step = fb.next()
      if (step.kind === 'more') break
      if (step.kind === 'fault') throw new Error(step.fault.detail)
      const r = decodeFrame(step.bytes, LIMITS)
      if (!r.ok) throw new Error(r.fault.detail)
      const f = r.frame
      if (f.kind === 'events') push(f.tag, f.entries)
      else if (f.kind === 'compressed') {
        const inflated = await inflate(f.payload, 1 << 24)
        if (!inflated.ok) throw new Error(inflated.fault.detail)
        const d = decodePackedEntries(inflated.bytes, LIMITS)
        if (!d.ok) throw new Error(d.fault.detail)
        push(f.tag, d.entries)
      }
    }
  }
  t.equal(fb.buffered, 0, 'nothing left over')
  return out
}

t.test('every capture reassembles from 1-byte reads', async (t) => {
  for (const v of VARIANTS) {
    const got = await decodeStream(capture(v), 1)
    const exp = expectedRecords(v)
    t.strictSame(withoutTime(got), withoutTime(exp), `${v}: records`)
    t.ok(maxTimeDiff(got, exp) < 1e-6, `${v}: times`)
  }
})

t.test('non-minimal headers: map32 options and array32 entries are accepted', (t) => {
  // classic.bin: entries are array32 (dd 00 00 00 02); ack.bin: option map is map32 (df 00 00 00 03)
  t.ok(capture('classic').includes(Buffer.from([0xdd, 0, 0, 0, 2])))
  t.ok(capture('ack').includes(Buffer.from([0xdf, 0, 0, 0, 3])))
  const frame = Buffer.concat([
    Buffer.from([0xdd, 0, 0, 0, 3]), enc.encode('t'),
    Buffer.from([0xdd, 0, 0, 0, 1]), Buffer.from([0xdd, 0, 0, 0, 2]), enc.encode(1), Buffer.from([0xdf, 0, 0, 0, 1]), enc.encode('k'), enc.encode('v'),
    Buffer.from([0xdf, 0, 0, 0, 1]), enc.encode('chunk'), enc.encode('c1')
  ])
  const fb = new FrameBuffer(1 << 20)
  fb.push(frame)
  const step = fb.next()
  t.equal(step.kind, 'frame')
  if (step.kind !== 'frame') { t.end(); return }
  const r = decodeFrame(step.bytes, LIMITS)
  t.ok(r.ok)
  if (r.ok && r.frame.kind === 'events') {
    t.equal(r.frame.mode, 'Forward')
    t.strictSame(r.frame.entries, [{ timeMs: 1000, record: { k: 'v' } }])
    t.equal(r.frame.option.chunk, 'c1')
  }
  t.end()
})

t.test('time encodings: EventTime, integer, float; bad ones rejected', (t) => {
  t.equal(timeToMs(new EventTimeValue(1795333459, 449000000)), 1795333459449)
  t.equal(timeToMs(1795333459), 1795333459000)
  t.equal(timeToMs(1795333459.5), 1795333459500)
  t.equal(timeToMs(new EventTimeValue(1, 1e9)), null, 'nsec out of range')
  t.equal(timeToMs(-1), null)
  t.equal(timeToMs('2026-11-22'), null)
  const bad = decodeFrame(enc.encode(['t', true, { a: 1 }]), LIMITS)
  t.strictSame(bad.ok ? null : bad.fault.reason, 'bad_time')
  // ext type 0 with 4 bytes instead of 8
  const ext4 = Buffer.concat([Buffer.from([0x93]), enc.encode('t'), Buffer.from([0xd6, 0x00, 1, 2, 3, 4]), enc.encode({ a: 1 })])
  const r = decodeFrame(ext4, LIMITS)
  t.equal(r.ok ? null : r.fault.reason, 'bad_time')
  t.end()
})

t.test('PackedForward as bin and as str, several gzip members', async (t) => {
  const e1 = enc.encode([new EventTimeValue(10, 5e8), { n: 1 }])
  const e2 = enc.encode([[new EventTimeValue(11, 0), {}], { n: 2 }])
  const packed = Buffer.concat([e1, e2])
  const asBin = decodeFrame(enc.encode(['p', packed]), LIMITS)
  t.ok(asBin.ok && asBin.frame.kind === 'events' && asBin.frame.mode === 'PackedForward')
  if (asBin.ok && asBin.frame.kind === 'events') {
    t.strictSame(asBin.frame.entries, [{ timeMs: 10500, record: { n: 1 } }, { timeMs: 11000, record: { n: 2 }, metadata: {} }])
  }
  // The old str form carries the same bytes (not valid UTF-8: must be taken raw).
  const strFrame = Buffer.concat([Buffer.from([0x92]), enc.encode('p'), Buffer.from([0xd9, packed.length]), packed])
  const asStr = decodeFrame(strFrame, LIMITS)
  t.ok(asStr.ok && asStr.frame.kind === 'events' && asStr.frame.entries.length === 2, 'str payload decoded raw')
  const gz = Buffer.concat([gzipSync(e1), gzipSync(e2)])
  const c = decodeFrame(enc.encode(['p', gz, { compressed: 'gzip' }]), LIMITS)
  t.ok(c.ok && c.frame.kind === 'compressed')
  if (c.ok && c.frame.kind === 'compressed') {
    const inflated = await inflate(c.frame.payload, 1024)
    t.ok(inflated.ok)
    if (inflated.ok) {
      const d = decodePackedEntries(inflated.bytes, LIMITS)
      t.equal(d.ok ? d.entries.length : -1, 2, 'both gzip members inflated')
    }
  }
  const zstd = decodeFrame(enc.encode(['p', gz, { compressed: 'zstd' }]), LIMITS)
  t.equal(zstd.ok ? null : zstd.fault.reason, 'unsupported_compression')
})

t.test('malformed shapes are faults, not exceptions', (t) => {
  const cases: Array<[string, unknown, string]> = [
    ['not an array', { a: 1 }, 'bad_shape'],
    ['one element', ['t'], 'bad_shape'],
    ['tag not a str', [1, [], {}], 'bad_shape'],
    ['entry not a pair', ['t', [[1]]], 'bad_shape'],
    ['record not a map', ['t', [[1, [1, 2]]]], 'bad_record'],
    ['message record not a map', ['t', 1, 'x'], 'bad_record'],
    ['option not a map', ['t', [[1, {}]], 'x'], 'bad_option'],
    ['chunk not a str', ['t', [[1, {}]], { chunk: 5 }], 'bad_option'],
    ['unknown mode', ['t', true, {}, {}, {}], 'bad_mode'],
    ['too many entries', ['t', Array.from({ length: 1001 }, () => [1, {}])], 'too_many_entries']
  ]
  for (const [name, value, reason] of cases) {
    const r = decodeFrame(enc.encode(value), LIMITS)
    t.equal(r.ok ? 'ok' : r.fault.reason, reason, name)
  }
  const truncatedPacked = decodeFrame(enc.encode(['t', enc.encode([1, { a: 1 }]).subarray(0, 4)]), LIMITS)
  t.equal(truncatedPacked.ok ? 'ok' : truncatedPacked.fault.reason, 'bad_msgpack', 'truncated packed entry')
  t.end()
})

t.test('framer limits: announced sizes fail before the bytes arrive', (t) => {
  const big = new FrameBuffer(1024)
  // [tag, bin32 of 1 GiB …] — only the header is sent
  big.push(Buffer.concat([Buffer.from([0x92]), enc.encode('t'), Buffer.from([0xc6, 0x40, 0, 0, 0])]))
  const s1 = big.next()
  t.equal(s1.kind === 'fault' ? s1.fault.reason : s1.kind, 'frame_too_large', 'bin32 header')
  const arr = new FrameBuffer(1024)
  arr.push(Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]))
  const s2 = arr.next()
  t.equal(s2.kind === 'fault' ? s2.fault.reason : s2.kind, 'frame_too_large', 'array32 count')
  const growing = new FrameBuffer(1024)
  growing.push(Buffer.from([0xdc, 0xff, 0xff])) // 65535 elements, each small
  let s3 = growing.next()
  for (let i = 0; i < 2000 && s3.kind === 'more'; i++) { growing.push(Buffer.from([0x01])); s3 = growing.next() }
  t.equal(s3.kind === 'fault' ? s3.fault.reason : s3.kind, 'frame_too_large', 'buffer growing past the limit')
  const deep = new FrameBuffer(1 << 20)
  deep.push(Buffer.alloc(1000, 0x91))
  const s4 = deep.next()
  t.equal(s4.kind === 'fault' ? s4.fault.reason : s4.kind, 'too_deep')
  const invalid = new FrameBuffer(1024)
  invalid.push(Buffer.from([0xc1]))
  const s5 = invalid.next()
  t.equal(s5.kind === 'fault' ? s5.fault.reason : s5.kind, 'bad_msgpack')
  t.end()
})

t.test('a handed-out frame is not overwritten by later reads', (t) => {
  const fb = new FrameBuffer(1 << 20)
  const a = enc.encode(['a', 1, { bin: new Uint8Array([1, 2, 3]) }])
  const b = enc.encode(['b', 2, { bin: new Uint8Array([4, 5, 6]) }])
  const both = Buffer.concat([a, b, a])
  fb.push(both.subarray(0, a.length + 3))
  const first = fb.next()
  t.equal(first.kind, 'frame')
  const copy = first.kind === 'frame' ? Buffer.from(first.bytes) : Buffer.alloc(0)
  fb.push(both.subarray(a.length + 3, a.length + 5))
  fb.push(both.subarray(a.length + 5))
  t.equal(fb.next().kind, 'frame')
  t.equal(fb.next().kind, 'frame')
  t.ok(first.kind === 'frame' && first.bytes.equals(copy), 'first frame bytes unchanged')
  t.end()
})

t.test('property: any split of the stream into reads gives the same records', async (t) => {
  const fc = await import('fast-check')
  const bytes = Buffer.concat([capture('classic'), capture('gzip')])
  const expected = [...expectedRecords('classic'), ...expectedRecords('gzip')]
  await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), async (cuts) => {
    const points = [...new Set(cuts)].sort((a, b) => a - b)
    const fb = new FrameBuffer(1 << 24)
    const got: unknown[] = []
    let prev = 0
    for (const p of [...points, bytes.length]) {
      fb.push(Buffer.from(bytes.subarray(prev, p)))
      prev = p
      for (let step = fb.next(); step.kind === 'frame'; step = fb.next()) {
        const r = decodeFrame(step.bytes, LIMITS, step.tops)
        if (!r.ok) return false
        if (r.frame.kind === 'events') got.push(...r.frame.entries.map((e) => e.record))
        else if (r.frame.kind === 'compressed') {
          const inflated = await inflate(r.frame.payload, 1 << 24)
          if (!inflated.ok) return false
          const d = decodePackedEntries(inflated.bytes, LIMITS)
          if (!d.ok) return false
          got.push(...d.entries.map((e) => e.record))
        }
      }
    }
    t.strictSame(got, expected.map((e) => e.record))
    return fb.buffered === 0
  }), { numRuns: 15 })
})

t.test('property: corrupted frames are faults or records, never exceptions', async (t) => {
  const fc = await import('fast-check')
  const frame = capture('ack').subarray(0, 2000) // a prefix: an incomplete frame to corrupt
  const msg = capture('message-mode').subarray(0, 250) // one whole Message frame
  let faults = 0
  fc.assert(fc.property(fc.constantFrom(frame, msg), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (base, edits) => {
    const b = Buffer.from(base)
    for (const [i, v] of edits) b[i % b.length] = v
    const fb = new FrameBuffer(1 << 20)
    fb.push(b)
    for (let step = fb.next(); step.kind !== 'more'; step = fb.next()) {
      if (step.kind === 'fault') { faults++; return true }
      const r = decodeFrame(step.bytes, LIMITS, step.tops)
      if (!r.ok) faults++
      const r2 = decodeFrame(step.bytes, LIMITS) // the re-walking path agrees
      if (r.ok !== r2.ok) return false
    }
    return true
  }), { numRuns: 300 })
  t.ok(faults > 0, `some corruptions were reported as faults (${faults})`)
})
