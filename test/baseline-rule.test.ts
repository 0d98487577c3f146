// Today's Loki rule as a baseline: substring match on the raw `module[(thread)]|LEVEL|message`, rate over a
// trailing minute, evaluated per node every 15 s.
import t from 'tap'
import { baselineLineText, createBaselineRule, evaluateBaselineRule } from '../src/detect/baseline-rule.js'
import { isStormError } from '../src/errors.js'
import { parseLogs } from './helpers/synth.js'
import { vlogTime } from './helpers/synth.js'

const T0 = Date.parse('2026-01-01T10:00:00.000Z')
const LP = 'cr-lrp-83cee638-ce95-4eb1-b59b-1616db71fa90'

function lines (node: string, n: number, everyMs: number, text: (i: number) => string, start = T0): { node: string, lines: string[] } {
  return { node, lines: Array.from({ length: n }, (_, i) => `${vlogTime(start + i * everyMs)}|${String(i + 1).padStart(5, '0')}|${text(i)}`) }
}

t.test('what the needle matches, exactly as Loki sees the line', async (t) => {
  const [evs] = parseLogs([{ node: 'gw1', lines: [
    `2026-01-01T10:00:00.000Z|00001|binding|INFO|Changing chassis for lport ${LP} from gw2 to gw1.`,
    `2026-01-01T10:00:00.000Z|00002|binding|INFO|${LP}: Claiming fa:16:3e:aa:00:02 172.24.4.10/24`,
    `2026-01-01T10:00:00.000Z|00003|binding(ovn-controller)|INFO|${LP}: Claiming fa:16:3e:aa:00:02 172.24.4.10/24`,
    `2026-01-01T10:00:00.000Z|00004|binding|INFO|Claiming lport ${LP} for this chassis.`
  ] }])
  const texts = (evs ?? []).map((e) => e.kind === 'unparsed' ? '' : baselineLineText(e))
  t.same(texts.map((x) => x.includes('binding|INFO|cr-lrp')), [false, true, false, false], 'only the un-suffixed address line')
  t.equal(texts[2], `binding(ovn-controller)|INFO|${LP}: Claiming fa:16:3e:aa:00:02 172.24.4.10/24`)
  const r = evaluateBaselineRule(evs ?? [])
  t.equal(r.matches, 1)
})

t.test('rate over the trailing minute, per node, at a 15 s step', async (t) => {
  // gw1: 2 address lines/s for 90 s (rate 2 > 1); gw2: 1 line/s (rate 1, not > 1).
  const [a, b] = parseLogs([
    lines('gw1', 180, 500, (i) => `binding|INFO|${LP}: Claiming fa:16:3e:aa:00:02 172.24.4.${i % 250}/24`),
    lines('gw2', 90, 1000, () => `binding|INFO|${LP}: Claiming fa:16:3e:aa:00:02 172.24.4.10/24`)
  ])
  const merged = [...(a ?? []), ...(b ?? [])].sort((x, y) => (x.kind === 'unparsed' ? 0 : x.timeMs ?? 0) - (y.kind === 'unparsed' ? 0 : y.timeMs ?? 0))
  const r = evaluateBaselineRule(merged)
  t.same([...new Set(r.firings.map((f) => f.node))], ['gw1'])
  for (const f of r.firings) {
    t.equal(f.atMs % 15000, 0, 'evaluated on the 15 s grid')
    t.ok(f.ratePerSec > 1)
    t.equal(f.ratePerSec, Math.round(f.matches / 60 * 1000) / 1000, "matches in the trailing minute / 60")
  }
  const first = r.firings[0]
  t.ok(first !== undefined && first.atMs - T0 >= 30000, 'needs more than 60 lines in the minute: after ~30 s at 2/s')
  t.equal(r.episodes.length, 1, 'consecutive evaluations are one episode')
  t.equal(r.episodes[0]?.node, 'gw1')
  t.ok((r.episodes[0]?.endMs ?? 0) > T0 + 90000, 'keeps firing while the trailing minute still holds the lines')
})

t.test('options are validated', async (t) => {
  for (const bad of [{ rangeMs: 0 }, { stepMs: -1 }, { thresholdPerSec: Number.NaN }, { needle: '' }]) {
    let code: string | undefined
    try { createBaselineRule(bad) } catch (e) { code = isStormError(e) ? e.code : 'other' }
    t.equal(code, 'E_CONFIG', JSON.stringify(bad))
  }
  const rule = createBaselineRule({ needle: 'binding|INFO|', thresholdPerSec: 0 })
  t.same(rule.push({ kind: 'unparsed', code: 'empty', text: '', bytes: 0, source: { wrapper: 'bare' } }), [])
  t.same(rule.flush(), [], 'nothing pushed, nothing evaluated')
})
