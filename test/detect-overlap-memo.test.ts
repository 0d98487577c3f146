// The claim-storm suspects count, per node, the overlapping storms it claims in. An update carries that count
// over from the previous one (storms that overlap keep overlapping) instead of recounting every recent storm.
// Differential check: on random multi-port storms that start, stop, resolve and fire again at different
// times, with nodes joining late, the detector emits exactly the same signals with and without the carry-over.
import t from 'tap'
import { createDetector } from '../src/detect/detector.js'
import { parseVlog } from '../src/parse/vlog.js'
import type { ParseResult, Signal } from '../src/types.js'
import { gatewayPortName, rng, vlogTime } from './helpers/synth.js'

const NODES = ['gw1', 'gw2', 'gw3', 'gw4', 'gw5']

function scenario (seed: number): ParseResult[] {
  const rnd = rng(seed)
  const lines: Array<{ t: number, node: string, text: string }> = []
  const t0 = Date.UTC(2026, 10, 22, 3, 0, 0)
  for (let p = 0; p < 10; p++) {
    const lport = p % 3 === 0 ? `${p}a5b3c1d-0000-4000-8000-00000000000${p}` : gatewayPortName(p)
    // one to three bursts per port, each with 2–4 fighters; a later burst may bring a new node
    const bursts = 1 + Math.floor(rnd() * 3)
    let start = t0 + Math.floor(rnd() * 120_000)
    for (let b = 0; b < bursts; b++) {
      const fighters = NODES.filter(() => rnd() < 0.6)
      while (fighters.length < 2) fighters.push(NODES[Math.floor(rnd() * NODES.length)] as string)
      const unique = [...new Set(fighters)]
      if (unique.length < 2) unique.push(unique[0] === 'gw1' ? 'gw2' : 'gw1')
      const length = 5_000 + Math.floor(rnd() * 60_000)
      let owner = unique[0] as string
      for (let at = start; at < start + length; at += 150 + Math.floor(rnd() * 700)) {
        const claimer = unique[Math.floor(rnd() * unique.length)] as string
        if (claimer === owner) continue
        lines.push({ t: at, node: claimer, text: `binding|INFO|Changing chassis for lport ${lport} from ${owner} to ${claimer}.` })
        owner = claimer
      }
      start += length + 20_000 + Math.floor(rnd() * 60_000) // quiet long enough to resolve, sometimes
    }
  }
  lines.sort((a, b) => a.t - b.t)
  const seqs = new Map<string, number>()
  return lines.map((l) => {
    const seq = (seqs.get(l.node) ?? 0) + 1
    seqs.set(l.node, seq)
    return parseVlog(`${vlogTime(l.t)}|${String(seq).padStart(5, '0')}|${l.text}`, { wrapper: 'bare', node: l.node })
  })
}

function run (events: ParseResult[], overlapMemo: boolean): Signal[] {
  const d = createDetector({}, { overlapMemo })
  const out: Signal[] = []
  for (const e of events) out.push(...d.push(e))
  out.push(...d.flush())
  return out
}

t.test('carried-over overlap counts equal a recount on every update', async (t) => {
  let partial = 0
  let storms = 0
  for (let seed = 1; seed <= 25; seed++) {
    const events = scenario(seed)
    const memo = run(events, true)
    const plain = run(events, false)
    t.same(memo, plain, `seed ${seed}: same signals`)
    for (const s of memo) {
      if (s.kind !== 'claim-storm') continue
      storms++
      for (const sus of s.suspects) if (sus.reasons.some((r) => /^claims \d+ of \d+ stormed ports$/.test(r))) partial++
    }
  }
  // The scenarios must exercise the count: storms overlapping some but not all others.
  t.ok(storms > 100, `${storms} claim-storm signals`)
  t.ok(partial > 20, `${partial} suspects claiming in some but not all overlapping storms`)
})
