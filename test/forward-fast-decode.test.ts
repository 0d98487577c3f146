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

// ---- nested maps shared by their bytes (shareRepeatedMaps) -------------------------------------------
const SHARE = { maxEntriesPerFrame: 1_000_000, shareRepeatedMaps: true }
const NO_SHARE = { maxEntriesPerFrame: 1_000_000 }

// Nested maps drawn from a small pool, so that the same bytes come back; values chosen to collide: strings
// and ints that differ in one byte anywhere (first, middle, last), long maps past the 512-byte cap, bins
// (never shared), maps inside arrays and maps, and now and then something the fast path refuses.
const near = fc.constantFrom<unknown>('gw1', 'gw2', 'hv1', 'ovs-ovn-gw1', 'ovs-ovn-gw2', `${'a'.repeat(40)}x`, `${'a'.repeat(40)}y`,
  `x${'a'.repeat(40)}`, `y${'a'.repeat(40)}`, 0x1234, 0x1235, 0x12345678, 0x12345679, -1, 1.5, null, true, '', 'é')
const poolMap = fc.letrec((tie) => ({
  map: fc.dictionary(fc.constantFrom('host', 'pod_name', 'namespace_name', 'container_name', 'labels', 'k', 'é'), tie('val'), { maxKeys: 5 }),
  val: fc.oneof({ depthSize: 'small' }, { weight: 6, arbitrary: near }, { weight: 1, arbitrary: tie('map') }, { weight: 1, arbitrary: fc.array(tie('val'), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4 }) }, { weight: 1, arbitrary: fc.constant('z'.repeat(600)) })
})).map
const odd = fc.constantFrom<unknown>({ __proto__x: 1 }, { n: 2 ** 40 }, { big: 'q'.repeat(300) }, [1, { k: 'gw1' }])

/** `m` with the string at one leaf (the `at`-th, in key order) changed in one char (index `pos` of it): same length, one byte apart. */
function twin (m: unknown, at: number, pos: number): unknown {
  let n = 0
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string' && v.length > 0 && /^[\x20-\x7e]*$/.test(v)) {
      if (n++ !== at) return v
      const i = pos % v.length
      return v.slice(0, i) + String.fromCharCode(v.charCodeAt(i) ^ 1) + v.slice(i + 1)
    }
    if (Array.isArray(v)) return v.map(walk)
    if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
    return v
  }
  return walk(m)
}

t.test('shared nested maps: the same entries as without sharing and as @msgpack/msgpack, frame after frame', async (t) => {
  let shared = 0
  const family = fc.tuple(fc.oneof({ weight: 6, arbitrary: poolMap }, { weight: 1, arbitrary: odd }), fc.array(fc.tuple(fc.nat({ max: 6 }), fc.nat()), { maxLength: 4 }))
    .map(([m, ts]) => [m, ...ts.map(([at, pos]) => twin(m, at, pos))])
  fc.assert(fc.property(fc.array(family, { minLength: 1, maxLength: 4 }).map((fs) => fs.flat()),
    fc.array(fc.tuple(fc.nat({ max: 5 }), fc.nat({ max: 5 }), fc.string({ maxLength: 30 }), fc.boolean()), { minLength: 1, maxLength: 30 }),
    (pool, picks) => {
      const entries = picks.map(([a, b, log, meta]) => {
        const record = { log, kubernetes: pool[a % pool.length], extra: pool[b % pool.length], list: [pool[b % pool.length]] }
        return meta ? [[17, {}], record] : [17, record]
      })
      const payload = Buffer.from(Buffer.concat(entries.map((e) => enc.encode(e))))
      const want = referenceEntries([...dec.decodeMulti(payload)])
      for (let again = 0; again < 2; again++) { // the second time, every map is already remembered
        const got = decodePackedEntries(payload, SHARE)
        t.strictSame(got, decodePackedEntries(payload, NO_SHARE))
        t.strictSame(got, { ok: true, entries: want })
        if (got.ok && got.entries.length > 1 && got.entries[0]?.record['kubernetes'] === got.entries[1]?.record['kubernetes'] &&
          typeof got.entries[0]?.record['kubernetes'] === 'object') shared++
      }
      return true
    }), { numRuns: 300, seed: 5 })
  t.ok(shared > 10, `shared maps were handed over (${shared} times)`)
})

t.test('shared nested maps: one object per distinct map, never the record or metadata, never a map with bin', async (t) => {
  const k8s = (host: string): object => ({ host, pod_name: `ovs-ovn-${host}`, namespace_name: 'kube-system', container_name: 'openvswitch' })
  const hosts = Array.from({ length: 40 }, (_, i) => `node-${i}`)
  // records repeat too (the same log line): only the nested maps may be shared
  const frame = (n: number): Buffer => Buffer.from(Buffer.concat(Array.from({ length: n }, (_, i) =>
    enc.encode([[1795333459, {}], { log: 'line', stream: 'stdout', kubernetes: k8s(hosts[i % hosts.length] ?? '') }]))))
  const a = decodePackedEntries(frame(400), SHARE)
  const b = decodePackedEntries(frame(400), SHARE)
  if (!a.ok || !b.ok) throw new Error('decode failed')
  const all = [...a.entries, ...b.entries]
  t.equal(new Set(all.map((e) => e.record['kubernetes'])).size, hosts.length, 'one kubernetes object per host, across frames')
  t.equal(new Set(all.map((e) => e.record)).size, all.length, 'records are never shared')
  t.equal(new Set(all.map((e) => e.metadata)).size, all.length, 'metadata maps are never shared')
  const withBin = Buffer.from(Buffer.concat([1, 2, 3].map(() => enc.encode([0, { raw: { b: Uint8Array.from([7]) } }]))))
  const d = decodePackedEntries(withBin, SHARE)
  if (!d.ok) throw new Error('decode failed')
  t.equal(new Set(d.entries.map((e) => e.record['raw'])).size, 3, 'a map holding a bin (a view of its frame) is never shared')
  t.equal((d.entries[2]?.record['raw'] as { b: Uint8Array }).b.buffer, withBin.buffer, 'its bin is a view of this frame')
  t.strictSame(all.map((e) => e.record['kubernetes']), [...a.entries, ...b.entries].map((_, i) => k8s(hosts[(i % 400) % hosts.length] ?? '')))
  const c = decodePackedEntries(frame(400), NO_SHARE)
  if (!c.ok) throw new Error('decode failed')
  t.equal(new Set(c.entries.map((e) => e.record['kubernetes'])).size, 400, 'without the option every record has its own')
})

t.test('ForwardServer hands shared maps over only when asked to', async (t) => {
  const { ForwardServer } = await import('../src/adapters/forward/server.js')
  const { connect } = await import('node:net')
  for (const share of [true, false]) {
    const got: unknown[] = []
    const server = new ForwardServer({ onBatch: (b) => { for (const e of b.entries) got.push(e.record['kubernetes']) }, ...(share ? { shareRepeatedMaps: true } : {}) })
    const { port } = await server.listen({ port: 0 })
    const payload = Buffer.concat([0, 1, 2].map((i) => enc.encode([i, { log: `l${i}`, kubernetes: { host: 'gw1' } }])))
    const so = connect(port, '127.0.0.1')
    so.write(enc.encode(['tag', payload, { chunk: 'c1' }]))
    await new Promise<void>((resolve) => { so.once('data', () => { resolve() }) })
    so.destroy()
    await server.close()
    t.strictSame(got, [{ host: 'gw1' }, { host: 'gw1' }, { host: 'gw1' }])
    t.equal(new Set(got).size, share ? 1 : 3, share ? 'one object' : 'three objects')
  }
})

t.test('shared nested maps: maps one byte apart anywhere (every char of every string, each map twice) stay apart', async (t) => {
  const bases: unknown[] = [
    { host: 'gw1', pod_name: 'ovs-ovn-gw1', namespace_name: 'kube-system', container_name: 'openvswitch' },
    { namespace_name: 'kube-system', container_name: 'openvswitch', host: 'gw1', pod_name: 'ovs-ovn-mwbhd', labels: { app: 'ovs', tier: ['node', 'x'] } },
    { a: 'b', n: 4660 },
    { s: 'x' }
  ]
  let variants = 0
  for (const base of bases) {
    const maps: unknown[] = [base]
    for (let at = 0; at < 8; at++) for (let pos = 0; pos < 16; pos++) maps.push(twin(base, at, pos))
    const records = maps.flatMap((m) => [{ k: m }, { k: m, again: m }])
    const payload = Buffer.from(Buffer.concat(records.map((r) => enc.encode([0, r]))))
    const want = referenceEntries([...dec.decodeMulti(payload)])
    for (let again = 0; again < 2; again++) t.strictSame(decodePackedEntries(payload, SHARE), { ok: true, entries: want })
    variants += new Set(maps.map((m) => JSON.stringify(m))).size
  }
  t.ok(variants > 80, `${variants} distinct maps`)
})

t.test('shared nested maps: map16 and map32 headers (a map32 of one key only comes from other encoders), truncated ones', async (t) => {
  const map32 = Uint8Array.from([0xdf, 0, 0, 0, 1, 0xa1, 0x61, 0x01])
  const map16 = Buffer.from(enc.encode(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i]))))
  for (const inner of [map32, map16]) {
    // [0, {"m": inner, "n": inner}] three times
    const entry = Buffer.concat([Uint8Array.from([0x92, 0x00, 0x82, 0xa1, 0x6d]), inner, Uint8Array.from([0xa1, 0x6e]), inner])
    const payload = Buffer.concat([entry, entry, entry])
    const want = referenceEntries([...dec.decodeMulti(payload)])
    t.strictSame(decodePackedEntries(payload, SHARE), { ok: true, entries: want })
    t.strictSame(decodePackedEntries(payload, SHARE), decodePackedEntries(payload, NO_SHARE))
    const cut = payload.subarray(0, entry.length + 5 + 2)
    t.strictSame(decodePackedEntries(cut, SHARE), decodePackedEntries(cut, NO_SHARE), 'truncated inside the map: the same fault')
  }
})
