// The fast msgpack reader against @msgpack/msgpack: the same value for everything it accepts, BAIL
// for everything it leaves to the full decoder, and decodePackedEntries unchanged either way.
import t from 'tap'
import fc from 'fast-check'
import { execFileSync } from 'node:child_process'
import { Decoder, Encoder } from '@msgpack/msgpack'
import { BAIL, createFastReader } from '../src/adapters/forward/fast-decode.js'
import { decodeFrame, decodePackedEntries, EventTimeValue, eventTimeCodec } from '../src/adapters/forward/decode.js'

const enc = new Encoder({ extensionCodec: eventTimeCodec })
const dec = new Decoder({ extensionCodec: eventTimeCodec })
const fast = createFastReader((sec, nsec) => new EventTimeValue(sec, nsec))
const LIMITS = { maxEntriesPerFrame: 1000 }

/** Full decode of `bytes`, or the error message it throws. */
function full (bytes: Uint8Array): { value: unknown } | { error: string } {
  try {
    return { value: dec.decode(bytes) }
  } catch (err) {
    return { error: (err as Error).message }
  }
}

const key = fc.oneof(fc.constantFrom('log', 'stream', 'kubernetes', 'host', 'pod_name', 'é', 'a'.repeat(17)), fc.string({ maxLength: 20 }))
const leaf = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
  fc.double(),
  fc.constantFrom(null, true, false),
  fc.uint8Array({ maxLength: 40 }),
  fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })).map(([s, n]) => new EventTimeValue(s, n))
)
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('arr'), tie('obj')),
  arr: fc.array(tie('node'), { maxLength: 5 }),
  obj: fc.dictionary(key, tie('node'), { maxKeys: 6 })
})).node

t.test('every value it accepts decodes as @msgpack/msgpack decodes it', async (t) => {
  let accepted = 0
  fc.assert(fc.property(value, (v) => {
    const bytes = Buffer.from(enc.encode(v))
    const got = fast.value(bytes, 0, bytes.length)
    if (got === BAIL) return true
    accepted++
    const want = full(bytes)
    t.strictSame({ value: got }, want)
    return true
  }), { numRuns: 400 })
  t.ok(accepted > 200, `most generated values take the fast path (${accepted})`)
})

t.test('bytes it does not take are left to the full decoder', async (t) => {
  const cases: Array<[string, Uint8Array]> = [
    ['uint64', Uint8Array.from([0xcf, 0, 0, 0, 1, 0, 0, 0, 0])],
    ['int64', Uint8Array.from([0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe])],
    ['invalid UTF-8 str', Uint8Array.from([0xa2, 0xc3, 0x28])],
    ['CESU-8 surrogate str', Uint8Array.from([0xa3, 0xed, 0xa0, 0x80])],
    ['__proto__ key', Uint8Array.from([0x81, 0xa9, ...Buffer.from('__proto__'), 0x01])],
    ['int key', Uint8Array.from([0x81, 0x01, 0x02])],
    ['ext type 1', Uint8Array.from([0xd4, 0x01, 0x00])],
    ['EventTime of 4 bytes', Uint8Array.from([0xd6, 0x00, 0, 0, 0, 1])],
    ['truncated str', Uint8Array.from([0xa5, 0x61])],
    ['truncated map', Uint8Array.from([0x82, 0xa1, 0x61, 0x01])],
    ['0xc1', Uint8Array.from([0xc1])],
    ['deep nesting', Uint8Array.from([...new Array(40).fill(0x91), 0x01])],
    ['trailing byte', Uint8Array.from([0x01, 0x02])],
    ['BOM-led str over 200 bytes (TextDecoder drops the BOM)', enc.encode(`\uFEFF${'x'.repeat(240)}`)]
  ]
  for (const [name, bytes] of cases) t.equal(fast.value(bytes, 0, bytes.length), BAIL, name)
})

t.test('a BOM-led str decodes as @msgpack/msgpack decodes it, short or long', async (t) => {
  for (const n of [10, 197, 198, 240]) {
    const bytes = Buffer.from(enc.encode([{ log: `\uFEFF${'x'.repeat(n)}` }]))
    t.strictSame(decodePackedEntries(Buffer.from(enc.encode([0, { log: `\uFEFF${'x'.repeat(n)}` }])), LIMITS), {
      ok: true, entries: [{ timeMs: 0, record: dec.decode(enc.encode({ log: `\uFEFF${'x'.repeat(n)}` })) }]
    }, `${n + 3} bytes`)
    const v = fast.value(bytes, 0, bytes.length)
    if (v !== BAIL) t.strictSame(v, dec.decode(bytes))
  }
})

t.test('bin values are views of the input, of its class', async (t) => {
  const bytes = Buffer.from(enc.encode({ b: Uint8Array.from([1, 2, 3]) }))
  const v = fast.value(bytes, 0, bytes.length) as { b: Uint8Array }
  t.ok(Buffer.isBuffer(v.b), 'a Buffer from a Buffer, as @msgpack/msgpack gives')
  t.equal(v.b.buffer, bytes.buffer)
  const plain = Uint8Array.from(bytes)
  const w = fast.value(plain, 0, plain.length) as { b: Uint8Array }
  t.notOk(Buffer.isBuffer(w.b))
  t.strictSame([...w.b], [1, 2, 3])
})

t.test('decodePackedEntries: same entries or the same fault, with or without the fast path', async (t) => {
  const entry = fc.tuple(
    fc.oneof(fc.nat(), fc.tuple(fc.nat(), fc.nat({ max: 1e9 + 5 })).map(([s, n]) => new EventTimeValue(s, n)), fc.constant('x')),
    fc.oneof(fc.dictionary(key, value, { maxKeys: 5 }), value)
  )
  fc.assert(fc.property(fc.array(entry, { maxLength: 6 }), fc.nat({ max: 4 }), (entries, cut) => {
    let bytes = Buffer.concat(entries.map((e) => enc.encode(e)))
    if (cut > 0 && bytes.length > cut) bytes = bytes.subarray(0, bytes.length - cut)
    const got = decodePackedEntries(bytes, LIMITS)
    // reference: @msgpack/msgpack alone, as decodePackedEntries did before the fast path
    let want: unknown
    try {
      want = { ok: true, values: [...dec.decodeMulti(bytes)] }
    } catch (err) {
      want = { ok: false, error: (err as Error).message }
    }
    const w = want as { ok: boolean; values?: unknown[] }
    if (got.ok) {
      t.ok(w.ok)
      t.equal(got.entries.length, w.values?.length)
      got.entries.forEach((e, i) => { t.strictSame(e.record, (w.values?.[i] as unknown[])[1]) })
    } else if (got.fault.reason === 'bad_msgpack' || got.fault.reason === 'bad_time') {
      t.notOk(w.ok && (w.values ?? []).every((v) => Array.isArray(v)) && got.fault.reason === 'bad_msgpack')
    }
    return true
  }), { numRuns: 200 })
})

t.test('the short-string cache: many strings of one length that differ in a middle byte, decoded twice', async (t) => {
  const strs: string[] = []
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < 300; i++) {
      const mid = String.fromCharCode(33 + (i % 90), 33 + Math.floor(i / 90))
      strs.push(('a'.repeat(len) + mid + 'z'.repeat(len)).slice(0, len))
    }
  }
  const bytes = Buffer.from(enc.encode({ [strs[0] ?? '']: strs, again: strs, keys: Object.fromEntries(strs.slice(0, 600).map((s, i) => [s, i])) }))
  const got = fast.value(bytes, 0, bytes.length)
  t.not(got, BAIL)
  t.strictSame(got, dec.decode(bytes))
})

/** The spec, on values @msgpack/msgpack decoded: `[time, record]` or `[[time, metadata], record]`; null for a fault. */
function referenceEntries (values: unknown[]): Array<{ timeMs: number; record: unknown; metadata?: unknown }> | null {
  const isMap = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof EventTimeValue)
  const ms = (t: unknown): number | null => t instanceof EventTimeValue
    ? (t.nsec >= 1e9 ? null : t.sec * 1000 + t.nsec / 1e6)
    : (typeof t === 'number' && Number.isFinite(t) && t >= 0 ? t * 1000 : null)
  const out: Array<{ timeMs: number; record: unknown; metadata?: unknown }> = []
  for (const e of values) {
    if (!Array.isArray(e) || e.length !== 2 || !isMap(e[1])) return null
    const head: unknown = e[0]
    if (Array.isArray(head)) {
      const timeMs = head.length === 2 && isMap(head[1]) ? ms(head[0]) : null
      if (timeMs === null) return null
      out.push({ timeMs, record: e[1], metadata: head[1] })
    } else {
      const timeMs = ms(head)
      if (timeMs === null) return null
      out.push({ timeMs, record: e[1] })
    }
  }
  return out
}

t.test('entries of PackedForward and Forward frames: what the spec reads from the fully decoded values, or a fault', async (t) => {
  const map = fc.dictionary(key, value, { maxKeys: 5 })
  const time = fc.oneof(
    fc.nat(),
    fc.double({ min: -10, max: 2e9 }),
    fc.tuple(fc.nat(), fc.nat({ max: 1e9 + 5 })).map(([s, n]) => new EventTimeValue(s, n)),
    fc.constantFrom<unknown>('x', null, -1, [1, 2])
  )
  const head = fc.oneof({ weight: 3, arbitrary: time }, { weight: 2, arbitrary: fc.tuple(time, fc.oneof({ weight: 4, arbitrary: map }, { weight: 1, arbitrary: value })) })
  const entry = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(head, fc.oneof({ weight: 6, arbitrary: map }, { weight: 1, arbitrary: value })) },
    { weight: 1, arbitrary: value }
  )
  const limits = { maxEntriesPerFrame: 1_000_000 }
  let good = 0
  fc.assert(fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), (entries) => {
    const payload = Buffer.concat(entries.map((e) => enc.encode(e)))
    let want: ReturnType<typeof referenceEntries> = null
    try {
      want = referenceEntries([...dec.decodeMulti(payload)])
    } catch {
      // not decodable: a fault either way
    }
    const packed = decodePackedEntries(payload, limits)
    const forward = decodeFrame(Buffer.from(enc.encode(['tag', entries])), limits)
    if (want === null) {
      t.equal(packed.ok, false, 'PackedForward: fault')
      t.equal(forward.ok, false, 'Forward: fault')
    } else {
      good++
      t.strictSame(packed, { ok: true, entries: want })
      t.strictSame(forward.ok && forward.frame.kind === 'events' ? forward.frame.entries : forward, want)
    }
    return true
  }), { numRuns: 400, seed: 11 })
  t.ok(good > 40, `${good} good frames compared`)
})

t.test('without code generation (--disallow-code-generation-from-strings) records are built key by key, the same', async (t) => {
  const script = `
    const { decodePackedEntries } = await import('./src/adapters/forward/decode.ts')
    const { Encoder } = await import('@msgpack/msgpack')
    const enc = new Encoder()
    let codegen = true
    try { new Function('return 1') } catch { codegen = false }
    const payload = Buffer.concat([1, 2, 3].map((i) => enc.encode([i, { log: 'l' + i, kubernetes: { host: 'gw' + i } }])))
    console.log(JSON.stringify({ codegen, r: decodePackedEntries(payload, { maxEntriesPerFrame: 10 }) }))`
  const out = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' })
  const want = [1, 2, 3].map((i) => ({ timeMs: i * 1000, record: { log: `l${i}`, kubernetes: { host: `gw${i}` } } }))
  t.strictSame(JSON.parse(out), { codegen: false, r: { ok: true, entries: want } })
})
