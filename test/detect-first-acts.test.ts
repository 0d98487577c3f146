// Ports seen in exactly one claim act are packed (src/detect/first-acts.ts) until a second act or a release
// promotes them. Two checks: the packed table against a plain Map model under random adds, lookups and
// removals (names that are UUIDs, `cr-lrp-` UUIDs, and near misses that must stay strings); and the detector
// with and without packing on random streams that flood, promote, fight, flap and load: the same signals,
// the same snapshot.
import t from 'tap'
import { createDetector } from '../src/detect/detector.js'
import { FirstActs } from '../src/detect/first-acts.js'
import { parseVlog } from '../src/parse/vlog.js'
import type { ParseResult, Signal } from '../src/types.js'
import { gatewayPortName, rng, vlogTime } from './helpers/synth.js'

const NODES = ['gw1', 'gw2', 'gw3', 'gw4', 'gw5']

function uuid (rnd: () => number): string {
  const hex = (n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rnd() * 16)]).join('')
  return `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`
}

/** Names of every kind, some of them one character away from a packable UUID. */
function someName (rnd: () => number, i: number): string {
  const u = uuid(rnd)
  switch (i % 9) {
    case 0: case 1: case 2: return u
    case 3: case 4: return `cr-lrp-${u}`
    case 5: return u.toUpperCase() // not lowercase: kept as a string, so the name comes back exactly
    case 6: return `${u.slice(0, 8)}_${u.slice(9)}` // a hyphen replaced
    case 7: return `cr-lrp-${u}`.slice(0, 42) + 'g' // not hex
    default: return `ns_pod-${i}`
  }
}

interface Model { slot: number, t: number, node: string, prev: string | null, flags: number, seq: number }

t.test('FirstActs keeps what a Map would, in arrival order', async (t) => {
  for (let seed = 1; seed <= 6; seed++) {
    const rnd = rng(seed)
    const max = 3000
    const table = new FirstActs(max)
    const model = new Map<string, Model>()
    const order: string[] = []
    const names: string[] = []
    const wrong: string[] = []
    let seq = 0
    let removed = 0
    for (let op = 0; op < 20000 && wrong.length < 5; op++) {
      const r = rnd()
      if (r < 0.5 && model.size < max) {
        const name = someName(rnd, names.length)
        if (model.has(name)) continue
        if (table.find(name) !== -1) wrong.push(`${name}: found before it was added`)
        const node = NODES[Math.floor(rnd() * NODES.length)] as string
        const prev = rnd() < 0.3 ? null : NODES[Math.floor(rnd() * NODES.length)] as string
        const m: Model = { slot: -1, t: 1_700_000_000_000 + op, node, prev, flags: Math.floor(rnd() * 4), seq: ++seq }
        m.slot = table.add(name, m.t, m.node, m.prev, m.flags, m.seq)
        model.set(name, m)
        order.push(name)
        names.push(name)
      } else if (r < 0.8 && names.length > 0) {
        const name = names[Math.floor(rnd() * names.length)] as string
        const m = model.get(name)
        const s = table.find(name)
        if (m === undefined) { if (s !== -1) wrong.push(`${name}: found after its removal`); continue }
        if (s !== m.slot) { wrong.push(`${name}: at slot ${s}, not ${m.slot}`); continue }
        if (table.name(s) !== name) wrong.push(`${name}: came back as ${table.name(s)}`)
        const got = [table.time(s), table.node(s), table.prev(s), table.flags(s), table.seq(s)]
        if (JSON.stringify(got) !== JSON.stringify([m.t, m.node, m.prev, m.flags, m.seq])) wrong.push(`${name}: holds ${JSON.stringify(got)}`)
        if (rnd() < 0.5) { table.remove(s); removed++; model.delete(name); order.splice(order.indexOf(name), 1) }
      } else if (model.size > 0) {
        // Evict the oldest, as the detector does.
        const s = table.oldest()
        const name = order.shift() as string
        if (table.name(s) !== name) wrong.push(`oldest is ${table.name(s)}, not ${name}`)
        table.remove(s)
        removed++
        model.delete(name)
      }
      if (table.size !== model.size) wrong.push(`size ${table.size}, not ${model.size}`)
    }
    t.same(wrong, [], `seed ${seed}: every lookup, name and field as the model has it (${names.length} added, ${removed} removed)`)
    const walked: string[] = []
    for (let s = table.newest(); s !== -1; s = table.olderThan(s)) walked.push(table.name(s))
    t.same(walked, [...order].reverse(), `seed ${seed}: arrival order kept through removals`)
    t.ok([...model].every(([name, m]) => table.find(name) === m.slot), `seed ${seed}: every live name found`)
  }
})

t.test('FirstActs packs only exact lowercase UUID names', async (t) => {
  const table = new FirstActs(16)
  const u = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'
  // \u00b0 and \u0101 are '0' and 'a' plus 128 and 256: a digit check on the low bits alone would take them
  const names = [u, `cr-lrp-${u}`, u.toUpperCase(), `cr-lrp-${u.toUpperCase()}`, `${u} `, `lrp-${u}`, `cr-lrp-${u.slice(1)}x`,
    `\u00b0${u.slice(1)}`, `${u.slice(0, 35)}\u0101`, `${u.slice(0, 8)}+${u.slice(9)}`]
  for (const [i, n] of names.entries()) table.add(n, i, 'gw1', null, 0, i)
  for (const [i, n] of names.entries()) {
    const s = table.find(n)
    t.equal(table.name(s), n, `${JSON.stringify(n)} comes back exactly`)
    t.equal(table.time(s), i)
  }
})

// ---- the detector with and without packing ----------------------------------------------------------------

function stream (seed: number): ParseResult[] {
  const rnd = rng(seed)
  const lines: Array<{ t: number, node: string, text: string }> = []
  const t0 = Date.UTC(2026, 10, 22, 3, 0, 0)
  const claim = (at: number, node: string, lport: string): void => { lines.push({ t: at, node, text: `binding|INFO|Claiming lport ${lport} for this chassis.` }) }
  const change = (at: number, node: string, lport: string, from: string): void => { lines.push({ t: at, node, text: `binding|INFO|Changing chassis for lport ${lport} from ${from} to ${node}.` }) }
  const release = (at: number, node: string, lport: string): void => { lines.push({ t: at, node, text: `binding|INFO|Releasing lport ${lport} from this chassis.` }) }
  const pick = (): string => NODES[Math.floor(rnd() * NODES.length)] as string
  // A flood: distinct ports claimed once, by a claim or a chassis change; a third come back later.
  const flood: string[] = []
  for (let i = 0; i < 1500; i++) {
    const lport = someName(rnd, i)
    flood.push(lport)
    const at = t0 + Math.floor(rnd() * 40_000)
    if (rnd() < 0.5) claim(at, pick(), lport)
    else change(at, pick(), lport, pick())
  }
  for (const lport of flood) {
    if (rnd() > 0.33) continue
    const at = t0 + Math.floor(rnd() * 60_000)
    const r = rnd()
    if (r < 0.4) claim(at, pick(), lport)
    else if (r < 0.8) change(at, pick(), lport, pick())
    else release(at, pick(), lport)
  }
  // Fights (storms) on some flood ports and on fresh ones, from their very first act.
  for (let f = 0; f < 6; f++) {
    const lport = f % 2 === 0 ? (flood[Math.floor(rnd() * flood.length)] as string) : gatewayPortName(f)
    let owner = pick()
    const start = t0 + Math.floor(rnd() * 50_000)
    for (let at = start; at < start + 20_000 + rnd() * 30_000; at += 200 + Math.floor(rnd() * 500)) {
      const claimer = pick()
      if (claimer === owner) continue
      change(at, claimer, lport, owner)
      owner = claimer
    }
  }
  // Flaps: one node claiming and releasing a port in a loop.
  for (let f = 0; f < 4; f++) {
    const lport = f % 2 === 0 ? (flood[Math.floor(rnd() * flood.length)] as string) : `vif-flap-${f}`
    const node = pick()
    const start = t0 + Math.floor(rnd() * 50_000)
    for (let k = 0; k < 8; k++) { claim(start + k * 1000, node, lport); release(start + k * 1000 + 400, node, lport) }
  }
  // Out of order within the allowed lateness: a late first act, a second act before the first.
  lines.sort((a, b) => a.t - b.t)
  for (let i = 0; i + 1 < lines.length; i += 97) {
    const a = lines[i] as { t: number }
    const b = lines[i + 1] as { t: number }
    if (a.t !== b.t) [lines[i], lines[i + 1]] = [lines[i + 1] as typeof lines[0], lines[i] as typeof lines[0]]
  }
  const seqs = new Map<string, number>()
  return lines.map((l) => {
    const seq = (seqs.get(l.node) ?? 0) + 1
    seqs.set(l.node, seq)
    return parseVlog(`${vlogTime(l.t)}|${String(seq).padStart(5, '0')}|${l.text}`, { wrapper: 'bare', node: l.node })
  })
}

function run (events: ParseResult[], packFirstActs: boolean): { signals: Signal[], snapshot: unknown } {
  const d = createDetector({}, { packFirstActs })
  const signals: Signal[] = []
  for (const e of events) signals.push(...d.push(e))
  const snapshot = d.snapshot()
  signals.push(...d.tick((snapshot.watermarkMs ?? 0) + 120_000))
  return { signals, snapshot }
}

t.test('the detector says the same with one-act ports packed or not', async (t) => {
  const kinds = new Map<string, number>()
  for (let seed = 1; seed <= 8; seed++) {
    const events = stream(seed)
    const packed = run(events, true)
    const plain = run(events, false)
    t.same(packed.signals, plain.signals, `seed ${seed}: same signals`)
    t.same(packed.snapshot, plain.snapshot, `seed ${seed}: same snapshot`)
    for (const s of packed.signals) kinds.set(s.kind, (kinds.get(s.kind) ?? 0) + 1)
  }
  // The streams must exercise every claim rule.
  for (const k of ['claim-storm', 'port-flap', 'claim-load']) t.ok((kinds.get(k) ?? 0) > 0, `${k}: ${kinds.get(k) ?? 0} signals`)
})

t.test('eviction covers packed and full ports alike', async (t) => {
  const d = createDetector({ maxTrackedPorts: 200 })
  const T0 = Date.UTC(2026, 10, 22)
  const GW = gatewayPortName(1)
  let seq = 0
  const push = (node: string, at: number, text: string): Signal[] =>
    d.push(parseVlog(`${vlogTime(at)}|${String(++seq).padStart(5, '0')}|binding|INFO|${text}`, { wrapper: 'bare', node }))
  for (let i = 0; i < 5000; i++) {
    push('gw1', T0 + i * 10, `Claiming lport ${gatewayPortName(1000 + i)} for this chassis.`)
    // a few ports with more than one act, and a port fought over all along
    if (i % 50 === 0) push('gw2', T0 + i * 10 + 1, `Claiming lport ${gatewayPortName(1000 + i - 25)} for this chassis.`)
    if (i % 20 === 0) push(i % 40 === 0 ? 'gw2' : 'gw1', T0 + i * 10 + 2, `Changing chassis for lport ${GW} from ${i % 40 === 0 ? 'gw1' : 'gw2'} to ${i % 40 === 0 ? 'gw2' : 'gw1'}.`)
  }
  const snap = d.snapshot()
  t.equal(snap.trackedPorts, 200, 'bounded')
  // 5000 flood ports, the hot one, and the one the first re-claim (i = 0) reaches back to: claimed only then
  t.equal(snap.stats.evictions.ports, 5000 + 2 - 200, 'every port beyond the bound evicted once')
  const hot = snap.ports.find((p) => p.lport === GW)
  t.ok(hot !== undefined && hot.claimActs > 100, 'the port fought over all along survives with its history')
  t.equal(snap.ports[0]?.lport, gatewayPortName(1000 + 4999), 'most recent first')
})

t.test('the most recent ports, when one-act ports arrived out of order', async (t) => {
  // Arrival order is the reverse of time order (all within the allowed lateness): the most recent by time are
  // the first to arrive, a long way behind the newest arrivals.
  const lines: ParseResult[] = []
  const T0 = Date.UTC(2026, 10, 22)
  for (let i = 0; i < 400; i++) {
    const at = T0 + 60_000 - i * 10
    lines.push(parseVlog(`${vlogTime(at)}|${String(i + 1).padStart(5, '0')}|binding|INFO|Claiming lport ${gatewayPortName(i)} for this chassis.`, { wrapper: 'bare', node: 'gw1' }))
  }
  const packed = run(lines, true)
  const plain = run(lines, false)
  t.same(packed.snapshot, plain.snapshot)
  const ports = (packed.snapshot as { ports: Array<{ lport: string }> }).ports
  t.equal(ports.length, 100)
  t.equal(ports[0]?.lport, gatewayPortName(0), 'newest by time first, though it arrived first')
  t.equal(ports[99]?.lport, gatewayPortName(99))
})
