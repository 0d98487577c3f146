// createRecordParser: the per-record path of serve gives exactly what parseRecord gives, for good
// records, failing records (whose text is now built only on failure) and odd values; its shortcut for
// the common Fluent Bit record gives exactly what the general path (createReferenceRecordParser) gives,
// key order included, on generated records around the shortcut's edges.
import t from 'tap'
import fc from 'fast-check'
import { createRecordParser, createReferenceRecordParser, parseRecord, type UnwrapOptions } from '../src/parse/unwrap.js'
import { StormError } from '../src/errors.js'
import { labLogs, labRuns, labScenarios } from './helpers/fixtures.js'

const k8s = (host: string): object => ({ host, pod_name: `ovs-ovn-${host}`, namespace_name: 'kube-system', container_name: 'openvswitch' })

const odd: unknown[] = [
  null, 42, 'plain string line', ['an', 'array'], {}, { log: 17 }, { message: null, kubernetes: k8s('gw1') },
  { log: new Uint8Array([0xff, 0xfe]) }, { MESSAGE: [104, 105], _HOSTNAME: 'hv1', __REALTIME_TIMESTAMP: '1725554334711000' },
  { log: '2024-09-05T16:38:54.711Z|00042|binding|INFO|Claiming lport abc for this chassis.\n', stream: 'stdout', time: '2024-09-05T16:38:54.711Z' },
  { log: '2024-09-05T16:38:54.711Z|00001|bfd|INFO|x: state\n  Forwarding: true\n  Detect Multiplier: 3', kubernetes: k8s('hv2') },
  { message: 'Sep  5 16:38:54 gw1 ovn-controller[12]: ovs|00042|binding|INFO|Releasing lport x from this chassis.', source_type: 'file' },
  { 'kubernetes.host': 'flat', log: '2024-09-05T16:38:54.711Z|00042|vlog|INFO|hello' },
  { log: { nested: 'object' }, kubernetes: k8s('gw2') },
  { log: 1n as unknown }
]

t.test('same results as parseRecord on odd and failing records', async (t) => {
  for (const opts of [{}, { messageKey: 'message' }, { nodeKey: 'kubernetes.pod_name', maxUnparsedTextBytes: 16 }, { wrapper: 'json' }] as UnwrapOptions[]) {
    const parse = createRecordParser(opts)
    const reference = createReferenceRecordParser(opts)
    for (const rec of odd) {
      t.strictSame(parse(rec), parseRecord(rec, opts), `${JSON.stringify(opts)} ${String(typeof rec)}`)
      t.strictSame(reference(rec), parseRecord(rec, opts), `reference: ${JSON.stringify(opts)} ${String(typeof rec)}`)
    }
  }
})

t.test('a failing record still carries its JSON text', async (t) => {
  const r = createRecordParser()({ stream: 'stdout', kubernetes: k8s('gw1') })
  t.equal(r.kind, 'unparsed')
  if (r.kind === 'unparsed') {
    t.equal(r.code, 'no-message')
    t.equal(r.text, JSON.stringify({ stream: 'stdout', kubernetes: k8s('gw1') }))
  }
})

t.test('same results as parseRecord over a lab run, as Fluent Bit records', async (t) => {
  const run = labRuns()[0]
  if (run === undefined) throw new Error('no lab run in test/fixtures/lab')
  const parse = createRecordParser()
  let n = 0
  for (const scenario of labScenarios(run)) {
    for (const log of labLogs(run, scenario)) {
      for (const line of log.lines.slice(0, 400)) {
        const rec = { log: `${line}\n`, stream: 'stdout', kubernetes: k8s(log.node) }
        const got = parse(rec)
        const want = parseRecord(rec)
        if (JSON.stringify(got) !== JSON.stringify(want)) t.strictSame(got, want, line)
        n++
      }
    }
  }
  t.ok(n > 1000, `compared ${n} records`)
})

// the same value, and the same key order all the way down (what a serializer would write)
const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

t.test('the Fluent Bit record shortcut: same results as the general path, key order included', async (t) => {
  const claim = '2024-09-05T16:38:54.711Z|00042|binding|INFO|Claiming lport abc for this chassis.'
  const text = fc.constantFrom(
    claim, `${claim}\n`, `${claim}\r\n`, `${claim}\r`, `\uFEFF${claim}`, '', '\n', '  Forwarding: true', '\tDetect Multiplier: 3',
    'ovs|00042|binding|INFO|Releasing lport x from this chassis.', `2024-09-05T16:38:54.711Z stdout F ${claim}`,
    `2024-09-05T16:38:54.711Z stdout P ${claim}`, `Sep  5 16:38:54 gw1 ovn-controller[12]: ovs|00042|vlog|INFO|hi`,
    `<30>1 2024-09-05T16:38:54.711Z gw1 ovn-controller 12 binding - Claiming lport y`, `{"log":"${claim}"}`, '[1, 2]', '[not json',
    `Plain words | with bars`, '12 34', '2024-09-05 something', `${claim}\n  Forwarding: true\n`, 'héllo wörld \uFFFD'
  )
  const name = fc.constantFrom('gw1', 'hv2', '', 'ovn-central-0')
  const odd = fc.constantFrom<unknown>(undefined, null, 7, '', new Uint8Array([0x67, 0x77, 0x32]), ['x'], { nested: 1 })
  const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined })
  const k8s = fc.record({
    host: maybe(fc.oneof(name, odd)),
    pod_name: maybe(fc.oneof(name, odd)),
    namespace_name: maybe(fc.oneof(name, odd)),
    pod_namespace: maybe(name),
    pod_node_name: maybe(name),
    container_name: maybe(fc.oneof(name, odd))
  }, { requiredKeys: [] })
  const record = fc.record({
    log: fc.oneof({ weight: 6, arbitrary: text }, { weight: 1, arbitrary: odd }),
    stream: maybe(fc.oneof(fc.constantFrom('stdout', 'stderr', ''), odd)),
    kubernetes: fc.oneof({ weight: 6, arbitrary: k8s }, { weight: 1, arbitrary: odd }),
    'kubernetes.host': maybe(name),
    host: maybe(fc.oneof(name, fc.constant({ name: 'ecs-host' }))),
    hostname: maybe(name),
    time: maybe(fc.constantFrom<unknown>('2024-09-05T16:38:54.711Z', 'not a time', 1725554334.711, 1725554334711, -1, '')),
    timestamp: maybe(fc.constantFrom<unknown>('2024-09-05T16:38:54Z', 17)),
    '@timestamp': maybe(fc.constant('2024-09-05T16:38:54.7+02:00')),
    file: maybe(fc.oneof(fc.constantFrom('/var/log/ovn/ovn-controller.log', ''), odd)),
    file_path: maybe(fc.constant('/var/log/a.log')),
    filename: maybe(fc.constant('b.log')),
    message: maybe(text),
    MESSAGE: maybe(text),
    _HOSTNAME: maybe(name),
    source_type: maybe(fc.constant('kubernetes_logs'))
  }, { requiredKeys: ['log'] })
  const options = fc.record({
    source: maybe(fc.record({ node: maybe(name), file: maybe(fc.constant('from-path.log')), stream: maybe(fc.constant('stdout')) }, { requiredKeys: [] })),
    nodeKey: maybe(fc.constantFrom('kubernetes.host', 'kubernetes.pod_node_name', 'host.name', 'hostname')),
    messageKey: maybe(fc.constantFrom('log', 'message')),
    maxWrapperDepth: maybe(fc.constantFrom(0, 1, 2, 3)),
    wrapper: maybe(fc.constantFrom<UnwrapOptions['wrapper']>('auto', 'fluent-bit', 'json'))
  }, { requiredKeys: [] })
  let compared = 0
  let mismatches = 0
  fc.assert(fc.property(options, fc.array(record, { minLength: 1, maxLength: 8 }), (opts, recs) => {
    // drop the keys the generator left undefined: a decoded record has no undefined values
    const clean = recs.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)))
    const o = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as UnwrapOptions
    const parse = createRecordParser(o)
    const reference = createReferenceRecordParser(o)
    for (const rec of clean) {
      const got = parse(rec)
      const want = reference(rec)
      compared++
      if (!sameJson(got, want) && mismatches++ === 0) t.strictSame(got, want, JSON.stringify({ o, rec }))
    }
  }), { numRuns: 400, seed: 7 })
  t.equal(mismatches, 0, 'no record differs')
  t.ok(compared > 1000, `compared ${compared} records`)
})

t.test('records that share kubernetes maps (as Forward decoding hands them over), changed between records: same results as the general path', async (t) => {
  const line = '2024-09-05T16:38:54.711Z|00042|binding|INFO|Claiming lport abc for this chassis.'
  const name = fc.constantFrom<unknown>('gw1', 'gw2', '', 'ovs-ovn-gw1', undefined, new Uint8Array([0x67, 0x77, 0x32]), 7)
  const field = fc.constantFrom('host', 'pod_name', 'namespace_name', 'pod_namespace', 'container_name')
  const step = fc.oneof(
    { weight: 8, arbitrary: fc.record({
      map: fc.oneof({ weight: 4, arbitrary: fc.nat({ max: 2 }) }, { weight: 1, arbitrary: fc.nat({ max: 9 }) }),
      stream: fc.oneof({ weight: 4, arbitrary: fc.constant('stdout') }, { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, 'stderr', '', new Uint8Array([0x61])) }),
      extra: fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, {
        weight: 1,
        arbitrary: fc.constantFrom<Record<string, unknown>>({ time: '2024-09-05T16:38:54.711Z' }, { timestamp: 17 }, { '@timestamp': '2024-09-05T16:38:54Z' },
          { file: '/var/log/a.log' }, { file_path: 'p' }, { filename: 'f' }, { 'kubernetes.host': 'flat' }, { host: 'top' })
      }),
      inherited: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) })
    }) },
    { weight: 2, arbitrary: fc.record({ change: fc.nat({ max: 9 }), field, value: name }) },
    { weight: 1, arbitrary: fc.record({ poke: fc.nat({ max: 2 }), field }) } // bytes changed in place
  )
  const options = fc.constantFrom<UnwrapOptions>({}, {}, { source: { node: 'from-path', stream: 'stdout' } }, { nodeKey: 'kubernetes.pod_name' }, { maxWrapperDepth: 1 })
  let compared = 0
  let mismatches = 0
  fc.assert(fc.property(options, fc.array(step, { minLength: 20, maxLength: 60 }), (o, steps) => {
    const maps = Array.from({ length: 10 }, (_, i): Record<string, unknown> => ({ host: `node-${i % 4}`, pod_name: `ovs-ovn-${i % 4}`, namespace_name: 'kube-system', container_name: 'openvswitch' }))
    const parse = createRecordParser(o)
    const reference = createReferenceRecordParser(o)
    for (const st of steps) {
      if ('poke' in st) {
        const m = maps[st.poke] as Record<string, unknown>
        const v = m[st.field]
        if (v instanceof Uint8Array) m[st.field] = v // the same object…
        else m[st.field] = new Uint8Array([0x67, 0x77, 0x33])
        const b = m[st.field] as Uint8Array
        b[0] = (b[0] ?? 0) === 0x67 ? 0x68 : 0x67 // …with other bytes
        continue
      }
      if ('change' in st) {
        const m = maps[st.change] as Record<string, unknown>
        if (st.value === undefined) delete m[st.field]
        else m[st.field] = st.value
        continue
      }
      const k8s = maps[st.map]
      const base: Record<string, unknown> = { log: line, ...(st.stream === undefined ? {} : { stream: st.stream }), ...st.extra }
      const rec = st.inherited ? Object.assign(Object.create({ kubernetes: k8s }) as object, base) : { ...base, kubernetes: k8s }
      const got = parse(rec)
      const want = reference(rec)
      compared++
      if (!sameJson(got, want) && mismatches++ === 0) t.strictSame(got, want, JSON.stringify({ o, st, k8s }))
    }
  }), { numRuns: 500, seed: 3 })
  t.equal(mismatches, 0, 'no record differs')
  t.ok(compared > 5000, `compared ${compared} records`)
})

t.test('the shortcut takes the common record: a Fluent Bit container log gives the expected event', async (t) => {
  const r = createRecordParser({ source: { file: 'f.log' } })({
    log: '2024-09-05T16:38:54.711Z|00042|binding|INFO|Claiming lport abc for this chassis.\n',
    stream: 'stdout',
    kubernetes: k8s('gw1')
  })
  t.equal(r.kind, 'lport-claim')
  t.equal(JSON.stringify(r.source), JSON.stringify({ wrapper: 'fluent-bit', file: 'f.log', pod: 'ovs-ovn-gw1', namespace: 'kube-system', container: 'openvswitch', stream: 'stdout', node: 'gw1' }))
})

t.test('invalid limits are a setup error', async (t) => {
  t.throws(() => createRecordParser({ maxLineBytes: -1 }), StormError)
})
