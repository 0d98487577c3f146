// `claimstorm pipe` (stdin → stdout) through the real CLI in-process, and serve's usage errors.
import t from 'tap'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from './helpers/cli.js'
import { readFixture, FIXTURES, labGroundTruth } from './helpers/fixtures.js'
import { labRecords } from './helpers/serve-harness.js'

interface Alert { event: { action: string }; rule: { name: string }; labels: { rule: string; node: string; status: string }; ovn: { lport?: string; suspects?: Array<{ node: string }>; resolved_by?: string } }
const alerts = (stdout: string): Alert[] => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Alert)

t.test('pipe: Fluent Bit records of the lab bad-gateway storm on stdin → storm alerts on stdout', async (t) => {
  const scenario = '07-multi-gw-bad-node-storm'
  const truth = labGroundTruth('sample', scenario)
  const recs = await labRecords(scenario)
  const r = await runCli(['pipe'], { stdin: recs.map((x) => JSON.stringify(x.record)).join('\n') + '\n' })
  const out = alerts(r.stdout)
  const storms = out.filter((a) => a.labels.rule === 'claim-storm' && a.event.action === 'firing')
  t.same(storms.map((a) => a.ovn.lport).sort(), [...truth.storm_lports].sort(), 'one storm alert per stormed port')
  for (const s of storms) t.equal(s.ovn.suspects?.[0]?.node, truth.bad_node, `${s.ovn.lport ?? ''}: the bad node is the first suspect`)
  t.ok(out.some((a) => a.labels.rule === 'claim-load'), 'and a Southbound claim-load alert')
  const open = new Set(out.filter((a) => a.event.action === 'firing').map((a) => `${a.labels.rule}:${a.ovn.lport ?? ''}`))
  const resolved = out.filter((a) => a.event.action === 'resolved')
  t.equal(resolved.length, open.size, 'every fired condition resolves by the end of input')
  t.equal(r.code, 2, 'critical findings → exit 2 at end of input')
  const logs = r.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)
  t.ok(logs.every((l) => typeof l['level'] === 'string' && typeof l['time'] === 'string' && typeof l['msg'] === 'string'), 'own logs are JSON lines')
  t.match(logs.find((l) => l['msg'] === 'stopped'), { reason: 'eof', records: recs.length })
})

t.test('pipe: raw vlog lines (no wrapper) work too', async (t) => {
  const text = readFixture(join(FIXTURES, 'seed-excerpts', 'ovs-discuss-ofport-65535.log'))
  const r = await runCli(['pipe', '--log-level', 'warn'], { stdin: text })
  const out = alerts(r.stdout)
  t.ok(out.some((a) => a.labels.rule === 'ofport-exhausted' && a.event.action === 'firing'), 'ofport-exhausted from bare lines')
  t.equal(r.code, 2)
  t.equal(r.stderr, '', 'log level warn hides info lines')
})

t.test('pipe: nothing found → exit 0, empty stdout', async (t) => {
  const r = await runCli(['pipe'], { stdin: 'hello\n{"log": "not ovs", "kubernetes": {"host": "n1"}}\n{broken json\n' })
  t.equal(r.code, 0)
  t.equal(r.stdout, '')
})

t.test('usage errors exit 3 with one JSON log line', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['serve'], /no input/],
    [['serve', '--in', 'tcp://127.0.0.1:0'], /no output/],
    [['serve', '--in', 'bogus://x:1', '--out', '-'], /unknown scheme bogus/],
    [['serve', '--in', '-', '--out', '-', '--max-line-bytes', 'lots'], /max-line-bytes must be a whole number/],
    [['serve', '--in', '-', '--out', '-', '--metrics-listen', 'x'], /metrics-listen/],
    [['serve', '--config', '/nonexistent/serve.yaml'], /cannot read config/],
    [['pipe', '--in', '-', '--in', '-'], /stdin \(-\) can be an input only once/],
    [['pipe', '--throttle-regime', 'bogus'], /throttleRegime/],
    [['pipe', '--detector', 'nosuchoption=1'], /nosuchoption/],
    [['pipe', '--detector', 'novalue'], /expected name=value/]
  ]
  for (const [args, re] of cases) {
    const r = await runCli(args)
    t.equal(r.code, 3, args.join(' '))
    const line = JSON.parse(r.stderr.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>
    t.match(line, { level: 'error', msg: re }, args.join(' '))
  }
})

t.test('config file: same keys as the flags; flags override; unknown keys refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'claimstorm-cfg-'))
  const bad = join(dir, 'bad.yaml')
  writeFileSync(bad, 'in: [ "-" ]\nout: [ "-" ]\nmax-line-byte: 10\n')
  const r1 = await runCli(['serve', '--config', bad])
  t.equal(r1.code, 3)
  t.match(r1.stderr, /unknown option \\"max-line-byte\\"/)
  const good = join(dir, 'good.yaml')
  writeFileSync(good, 'in: ["-"]\nout: ["-"]\nlog-level: error\nmessage-key: msg\n')
  const r2 = await runCli(['serve', '--config', good], { stdin: JSON.stringify({ msg: '2018-11-06T01:29:10.045Z|142104|bridge(ovs-vswitchd)|INFO|bridge br-int: added interface ovn-aded97-0 on port 65535', host: 'gw1' }) + '\n' })
  t.equal(r2.stderr, '', 'log-level from the file')
  t.match(r2.stdout, /ofport-exhausted/, 'message-key from the file')
  const r3 = await runCli(['serve', '--config', good, '--log-level', 'info', '--message-key', 'other'], { stdin: JSON.stringify({ msg: 'x' }) + '\n' })
  t.match(r3.stderr, /"msg":"stopped"/, 'flag overrides the file')
})

t.test('--help lists every option with its unit and default', async (t) => {
  const r = await runCli(['serve', '--help'])
  t.equal(r.code, 0)
  const { SERVE_OPTIONS } = await import('../src/adapters/config.js')
  const help = r.stdout.replace(/\s+/g, ' ') // commander wraps long descriptions
  for (const o of SERVE_OPTIONS) {
    t.match(help, `--${o.key} ${o.arg}`, o.key)
    if (o.default !== undefined && !(Array.isArray(o.default) && o.default.length === 0)) t.match(help, `default: ${String(o.default)}`, `${o.key} default`)
  }
})

t.test('docs/serve.md documents every option with its default, and every metric', async (t) => {
  const { readFileSync } = await import('node:fs')
  const doc = readFileSync(new URL('../docs/serve.md', import.meta.url), 'utf8')
  const { SERVE_OPTIONS } = await import('../src/adapters/config.js')
  for (const o of SERVE_OPTIONS) {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`--${o.key} `))
    t.ok(row !== undefined, `--${o.key} has a row`)
    if (o.default !== undefined && !(Array.isArray(o.default) && o.default.length === 0)) t.match(row ?? '', `\`${String(o.default)}\``, `--${o.key} default`)
  }
  const { createServeMetrics } = await import('../src/adapters/metrics.js')
  const m = createServeMetrics({ pipeline: () => ({ records: 0, events: 0, eventsByKind: {}, unparsed: 0, unparsedByCode: {}, alerts: {}, active: {}, maxSeverity: null, maxEventMs: null }), inputs: () => [], outputs: () => [], saturated: () => false, detectorEvictions: () => 0 })
  const names = (await m.registry.getMetricsAsJSON()).map((x) => x.name)
  t.ok(names.length > 10)
  for (const n of names) t.match(doc, `\`${n}\``, `${n} documented`)
})
