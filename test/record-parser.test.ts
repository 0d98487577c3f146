// createRecordParser: the per-record path of serve gives exactly what parseRecord gives, for good
// records, failing records (whose text is now built only on failure) and odd values.
import t from 'tap'
import { createRecordParser, parseRecord, type UnwrapOptions } from '../src/parse/unwrap.js'
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
    for (const rec of odd) t.strictSame(parse(rec), parseRecord(rec, opts), `${JSON.stringify(opts)} ${String(typeof rec)}`)
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

t.test('invalid limits are a setup error', async (t) => {
  t.throws(() => createRecordParser({ maxLineBytes: -1 }), StormError)
})
