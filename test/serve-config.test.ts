// The serve config file and flag layering (src/adapters/config.ts) and the HTTP body decoder.
import t from 'tap'
import { configFromFlags, detectorOverrides, mergeConfig, parseConfigText, DEFAULT_SERVE_CONFIG } from '../src/adapters/config.js'
import { decodeBody } from '../src/adapters/http.js'
import { LineSplitter } from '../src/adapters/lines.js'
import { runCli } from './helpers/cli.js'

t.test('YAML keys are the flag names; values typed; detector as a mapping or a list', async (t) => {
  const c = parseConfigText([
    'in: forward://127.0.0.1:24224',
    'out: ["-", "tcp://127.0.0.1:9001"]',
    'max-line-bytes: "4096"',
    'log-level: warn',
    'ovn-version: 23.03.1',
    'detector:',
    '  quietMs: 60000',
    '  allowedLatenessMs: 10000',
    'tag: ~'
  ].join('\n'))
  t.same(c, { in: ['forward://127.0.0.1:24224'], out: ['-', 'tcp://127.0.0.1:9001'], maxLineBytes: 4096, logLevel: 'warn', ovnVersion: '23.03.1', detector: ['quietMs=60000', 'allowedLatenessMs=10000'] })
  t.same(detectorOverrides(mergeConfig(c)), { quietMs: 60000, allowedLatenessMs: 10000, ovnVersion: '23.03.1' })
  t.same(parseConfigText('detector: ["quietMs=5", "flag=true", "name=abc"]').detector, ['quietMs=5', 'flag=true', 'name=abc'])
  t.same(detectorOverrides(mergeConfig({ detector: ['quietMs=5', 'flag=true', 'name=abc'] })), { quietMs: 5, flag: true, name: 'abc' })
  t.same(parseConfigText(''), {})
  t.same(parseConfigText('maxQueuedAlerts: 5'), { maxQueuedAlerts: 5 }, 'camelCase field names work too')
})

t.test('refusals', async (t) => {
  t.throws(() => parseConfigText('- a\n- b'), /expected a mapping/)
  t.throws(() => parseConfigText('in: [unclosed'), /not valid YAML/)
  t.throws(() => parseConfigText('max-line-bytes: 12'), /at least 64/)
  t.throws(() => parseConfigText('max-line-bytes: 1.5k'), /whole number/)
  t.throws(() => parseConfigText('log-level: loud'), /debug, info, warn, error/)
  t.throws(() => parseConfigText('tag: ""'), /must not be empty/)
  t.throws(() => parseConfigText('in: [{a: 1}]'), /entries must be strings/)
  t.throws(() => detectorOverrides(mergeConfig({ detector: ['=1'] })), /name=value/)
})

t.test('defaults < file < flags', async (t) => {
  const file = parseConfigText('in: ["-"]\nout: ["-"]\nretry-max-ms: 500\nmetrics-listen: 127.0.0.1:1')
  const flags = configFromFlags({ retryMaxMs: '700', out: ['tcp://127.0.0.1:2'], in: [] })
  const cfg = mergeConfig(file, flags)
  t.same(cfg.in, ['-'], 'an empty flag list does not override the file')
  t.same(cfg.out, ['tcp://127.0.0.1:2'])
  t.equal(cfg.retryMaxMs, 700)
  t.equal(cfg.metricsListen, '127.0.0.1:1')
  t.equal(cfg.tickIntervalMs, DEFAULT_SERVE_CONFIG.tickIntervalMs)
  t.same(mergeConfig().in, [], 'fresh lists per config')
  t.not(mergeConfig().detector, DEFAULT_SERVE_CONFIG.detector)
})

t.test('HTTP bodies: NDJSON, array, one pretty object, garbage', async (t) => {
  t.same(decodeBody('{"a":1}\n\n{"b":2}\n'), { ok: true, records: [{ a: 1 }, { b: 2 }], lines: 4 })
  t.same(decodeBody(' [{"a":1},"line"]'), { ok: true, records: [{ a: 1 }, 'line'], lines: 2 })
  t.same(decodeBody('{\n  "log": "x"\n}\n'), { ok: true, records: [{ log: 'x' }], lines: 1 })
  t.same(decodeBody(''), { ok: true, records: [], lines: 1 })
  t.match(decodeBody('{"a":1}\n{oops'), { ok: false, error: /line 2/ })
  t.match(decodeBody('[1,'), { ok: false, error: /invalid JSON array/ })
  t.match(decodeBody('[1]x'), { ok: false })
})

t.test('line splitter: CRLF, split chunks, multibyte across chunks, over-long lines skipped whole', async (t) => {
  const s = new LineSplitter(8)
  t.same(s.push(Buffer.from('ab\r\ncd')), { lines: ['ab'], overflow: 0 })
  const euro = Buffer.from('€x\n')
  t.same(s.push(euro.subarray(0, 1)), { lines: [], overflow: 0 })
  t.same(s.push(euro.subarray(1)), { lines: ['cd€x'], overflow: 0 })
  t.same(s.push(Buffer.from('0123456789')), { lines: [], overflow: 1 })
  t.same(s.push(Buffer.from('more\nok\n')), { lines: ['ok'], overflow: 0 }, 'the rest of the long line is skipped')
  t.same(s.push(Buffer.from('123456789\nz')), { lines: [], overflow: 1 })
  t.equal(s.end(), 'z')
  t.equal(s.end(), null)
})

t.test('serve / pipe command-line errors: one JSON log line on stderr, exit 3; scan keeps the text and its help', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['serve', '--bogus'], /^command line: unknown option '--bogus' \(see claimstorm serve --help\)$/],
    [['pipe', '--in'], /^command line: option '--in <url>' argument missing \(see claimstorm pipe --help\)$/],
    [['pipe', 'extra'], /^command line: too many arguments for 'pipe'/]
  ]
  for (const [args, msg] of cases) {
    const r = await runCli(args)
    t.equal(r.code, 3, args.join(' '))
    t.equal(r.stdout, '')
    const lines = r.stderr.trim().split('\n')
    t.equal(lines.length, 1, 'one line, no help dump')
    const rec = JSON.parse(lines[0] ?? '') as Record<string, unknown>
    t.match(rec, { level: 'error', code: 'E_USAGE' })
    t.match(String(rec['msg']), msg)
  }
  const scan = await runCli(['scan', '--bogus'])
  t.equal(scan.code, 3)
  t.match(scan.stderr, /^error: unknown option '--bogus'\n\nUsage: claimstorm scan/)
})
