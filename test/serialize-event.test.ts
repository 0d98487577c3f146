import t from 'tap'
import { labLogs } from './helpers/fixtures.js'
import { PARSE_RESULT_SCHEMA, serializeParseResult } from '../src/parse/serialize-event.js'
import { createLineParser } from '../src/parse/line-parser.js'
import type { Envelope, ParseResult, Source } from '../src/types.js'

const source: Source = {
  wrapper: 'fluent-bit', node: 'gw1', pod: 'ovs-ovn-x', namespace: 'kube-system', container: 'ovn-controller',
  file: '/var/log/x.log', stream: 'stdout', program: 'ovn-controller', pid: 42, wrapperTime: '2024-05-14T09:12:03.118123Z', wrapperTimeMs: 1715677923118
}
const env: Envelope = {
  time: '2024-05-14T09:12:03.118Z', timeMs: 1715677923118, seq: 4211, module: 'binding', thread: 'ovn-controller', level: 'INFO',
  message: 'm "quoted" \\ back\nslash \u0000 \u2028 </script>', continuation: ['  a', '', '  "b"'], source
}

// One sample per kind, with every optional field set: the Record type makes a missing kind a type error.
const samples: { [K in ParseResult['kind']]: Extract<ParseResult, { kind: K }> } = {
  'lport-claim': { ...env, kind: 'lport-claim', lport: 'vip', additional: true, virtualParent: 'p1' },
  'lport-chassis-change': { ...env, kind: 'lport-chassis-change', lport: 'cr-lrp-1', from: 'gw2', to: 'gw1' },
  'lport-claim-addresses': {
    ...env,
    kind: 'lport-claim-addresses',
    lport: 'cr-lrp-1',
    addresses: [
      { type: 'mac', value: 'fa:16:3e:6b:1c:9e' }, { type: 'ipv4', value: '172.24.4.181', prefix: 24 },
      { type: 'ipv6', value: '2001:db8::1', prefix: 64 }, { type: 'keyword', value: 'unknown' }, { type: 'other', value: '?' }
    ]
  },
  'lport-release': { ...env, kind: 'lport-release', lport: 'x', additional: false, sbReadonly: false, form: 'sb-readonly' },
  'lport-claim-postponed': { ...env, kind: 'lport-claim-postponed', lport: 'x', delayMs: 500 },
  'lport-not-claiming': { ...env, kind: 'lport-not-claiming', lport: 'x', chassis: 'gw1', requestedChassis: 'c7', pbChassis: '' },
  'lport-sb-state': { ...env, kind: 'lport-sb-state', lport: 'x', state: 'up' },
  'lport-ovn-installed': { ...env, kind: 'lport-ovn-installed', target: 'iface', name: 'tap1', action: 'removed' },
  'if-status-claim': { ...env, kind: 'if-status-claim', lport: 'x', isVif: true },
  'iface-added': { ...env, kind: 'iface-added', bridge: 'br-int', iface: 'ovn-1', ofport: 65535 },
  'iface-deleted': { ...env, kind: 'iface-deleted', bridge: 'br-int', iface: 'ovn-1', ofport: 7 },
  'port-add-failed': { ...env, kind: 'port-add-failed', datapath: 'system@ovs-system', iface: 'ovn-1', error: 'Device or resource busy' },
  'ofport-alloc-failed': { ...env, kind: 'ofport-alloc-failed', bridge: 'br-int', iface: 'ovn-1' },
  'ofproto-nonexistent-port': { ...env, kind: 'ofproto-nonexistent-port', bridge: 'br-int', feature: 'bfd', ofport: 65535 },
  'bfd-state-change': { ...env, kind: 'bfd-state-change', iface: 'ovn-1', oldState: 'up', newState: 'down', oldDiag: 'No Diagnostic', newDiag: 'Control Detection Time Expired', wording: 'rfc' },
  'vlog-dropped': { ...env, kind: 'vlog-dropped', count: 57, seconds: 9, mostRecentSecondsAgo: 0 },
  vlog: { ...env, kind: 'vlog', time: null, timeMs: null, seq: null },
  unparsed: { kind: 'unparsed', code: 'too-long', text: 'x\ty\u0001', bytes: 10_000_000, detail: 'why', source }
}

t.test('every kind round-trips through JSON.parse unchanged', async (t) => {
  for (const [kind, sample] of Object.entries(samples)) {
    const json = serializeParseResult(sample)
    t.notOk(json.includes('\n'), `${kind}: one line`)
    t.same(JSON.parse(json), sample, kind)
  }
})

t.test('the schema lists every field the samples use, and never skips escaping', async (t) => {
  const props = Object.keys(PARSE_RESULT_SCHEMA.properties)
  for (const sample of Object.values(samples)) {
    for (const key of Object.keys(sample)) t.ok(props.includes(key), `schema has ${key}`)
  }
  t.notMatch(JSON.stringify(PARSE_RESULT_SCHEMA), /unsafe/)
  const json = serializeParseResult(samples.vlog)
  t.notOk(json.includes('\u0000'), 'control characters are escaped')
})

t.test('real parser output round-trips (catches fields the schema would drop)', async (t) => {
  let n = 0
  for (const scenario of ['04-crlrp-split-brain-storm', '05-port-flap-ofport-growth', '06-gateway-bfd-flap']) {
    for (const log of labLogs('sample', scenario)) {
      const p = createLineParser({ source: { node: log.node } })
      const out = [...log.lines.flatMap((l) => p.push(l)), ...p.flush(), ...p.push('garbage'), ...p.flush()]
      for (const r of out) {
        const back = JSON.parse(serializeParseResult(r)) as unknown
        if (JSON.stringify(back) !== JSON.stringify(r)) t.same(back, r, `${log.path}: ${r.kind}`)
        n++
      }
    }
  }
  t.ok(n > 500, `${n} results compared`)
})
