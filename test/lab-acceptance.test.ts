// Acceptance on real OVN: every scenario of every lab run under test/fixtures/lab (all nodes, merged by event
// time, node = directory name) through the real parser and the detector, judged against the Southbound ground
// truth (ground_truth.json), and compared with today's Loki rule.
import t from 'tap'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { LAB, FIXTURES, labGroundTruth, labLogs, labRuns, labScenarios, readFixture } from './helpers/fixtures.js'
import type { GroundTruth } from './helpers/fixtures.js'
import { ofKind, parseLogs, runDetector } from './helpers/synth.js'
import { createDetector } from '../src/detect/detector.js'
import type { ClaimStormSignal, Signal } from '../src/types.js'

const ms = (iso: string): number => Date.parse(iso)

interface LportWindow { lport: string, start: string, end: string, claimants: string[] }
interface Phase { name: string, label: string, start: string, end: string, lport_windows?: LportWindow[], sb?: { claims_per_lport_per_chassis?: Record<string, Record<string, number>> } }

function phases (gt: GroundTruth): Phase[] { return gt.phases as unknown as Phase[] }

function stormsOn (signals: readonly Signal[], lport: string): ClaimStormSignal[] {
  return ofKind(signals, 'claim-storm').filter((s) => s.lport === lport)
}

function finalOf<S extends Signal> (xs: readonly S[]): S | undefined {
  return xs.findLast((s) => s.status === 'resolved') ?? xs.at(-1)
}

/** First contested claim of `lport` in the logs: the first `Changing chassis` line. */
function firstContestedMs (logs: ReturnType<typeof labLogs>, lport: string): number {
  let first = Infinity
  for (const ev of parseLogs(logs).flat()) {
    if (ev.kind === 'lport-chassis-change' && ev.lport === lport && ev.timeMs !== null && ev.timeMs < first) first = ev.timeMs
  }
  return first
}

for (const run of labRuns()) {
  for (const scenario of labScenarios(run)) {
    if (!existsSync(join(LAB, run, scenario, 'ground_truth.json'))) continue
    const gt = labGroundTruth(run, scenario)
    t.test(`${run}/${scenario} (${gt.kind})`, async (t) => {
      const logs = labLogs(run, scenario)
      const { signals, baseline, detector } = await runDetector(logs)
      const storms = ofKind(signals, 'claim-storm')
      const loads = ofKind(signals, 'claim-load')
      const baselineFired = baseline.episodes.length > 0
      t.equal(detector.stats.late, 0, 'merged by time: nothing late')
      t.same(signals.filter((s) => s.status === 'firing').length, signals.filter((s) => s.status === 'resolved').length, 'every firing resolves once')

      switch (gt.kind) {
        case 'normal_failover':
        case 'failback_preemption': {
          t.same(storms, [], 'no claim-storm')
          t.same(loads, [], 'no claim-load')
          t.notOk(baselineFired, 'the Loki rule is silent too')
          break
        }
        case 'vif_duplicate_iface_id_claim_storm': {
          const lport = gt.storm_lports[0] as string
          const on = stormsOn(signals, lport)
          const firing = on.find((s) => s.status === 'firing')
          t.ok(firing, `claim-storm on ${lport}`)
          if (firing === undefined) break
          t.equal(firing.portClass, 'vif')
          const firstContested = firstContestedMs(logs, lport)
          t.ok(firing.lastMs - firstContested <= 10_000, `fires within 10 s of the first contested claim (${firing.lastMs - firstContested} ms)`)
          const claimants = new Set(phases(gt).flatMap((p) => p.lport_windows ?? []).filter((w) => w.lport === lport).flatMap((w) => w.claimants))
          const final = finalOf(on) as ClaimStormSignal
          t.same(final.participants.filter((p) => p.claims > 0).map((p) => p.node).sort(), [...claimants].sort(), 'the chassis the Southbound saw claiming it')
          t.ok(final.participants.length < 3 || on.some((s) => s.participants.length === 2), 'two chassis first, a third later')
          const resolved = on.find((s) => s.status === 'resolved')
          t.equal(resolved?.resolvedBy, 'quiet', 'resolved after the fix, not at shutdown')
          const recovery = phases(gt).find((p) => p.label === 'recovery')
          if (recovery !== undefined && resolved !== undefined) t.ok(resolved.lastMs <= ms(recovery.end), 'last evidence before the recovery phase ends')
          t.equal(on.filter((s) => s.status === 'firing').length, 1, 'one storm, no duplicate alerts')
          t.notOk(baselineFired, 'side by side: the Loki rule never sees a VIF storm')
          break
        }
        case 'gateway_split_brain_claim_storm': {
          const lport = gt.storm_lports[0] as string
          const final = finalOf(stormsOn(signals, lport))
          t.ok(final, `claim-storm on ${lport}`)
          if (final === undefined) break
          t.equal(final.portClass, 'gateway')
          t.equal(final.severity, 'critical')
          const claimants = phases(gt).flatMap((p) => p.lport_windows ?? []).filter((w) => w.lport === lport).flatMap((w) => w.claimants)
          for (const c of claimants) t.ok(final.participants.some((p) => p.node === c && p.claims > 0), `${c} takes part`)
          for (const c of claimants) {
            const other = claimants.find((x) => x !== c) as string
            const s = final.suspects.find((x) => x.node === c)
            t.ok(s?.reasons.some((r) => r.includes('BFD') && r.includes(`ovn-${other.slice(0, 6)}-`)), `${c}: BFD to ${other} going down is cited`)
          }
          t.same(Object.keys(final.handoffPairs).sort(), claimants.flatMap((a) => claimants.filter((b) => b !== a).map((b) => `${a}->${b}`)).sort(), 'hand-offs only between the two')
          break
        }
        case 'single_chassis_port_flap': {
          t.same(storms, [], 'not a multi-chassis storm')
          const flapPhase = phases(gt).find((p) => p.label === 'port_flap')
          const perChassis = Object.values(flapPhase?.sb?.claims_per_lport_per_chassis ?? {})[0] ?? {}
          const node = Object.keys(perChassis)[0] as string
          const flaps = ofKind(signals, 'port-flap')
          const flap = finalOf(flaps)
          t.ok(flap, 'port-flap')
          if (flap === undefined) break
          t.equal(flap.node, node, `on ${node}, the only claimant`)
          const ofports = flap.ofports ?? []
          t.ok(ofports.length >= 3, 'the climbing `added interface … on port N` seen')
          t.ok(ofports.every((n, i) => i === 0 || n > (ofports[i - 1] as number)), `climbing: ${ofports.join(',')}`)
          break
        }
        case 'gateway_link_flap_claim_storm': {
          const lport = gt.storm_lports[0] as string
          const final = finalOf(stormsOn(signals, lport))
          t.ok(final, `claim-storm on ${lport}`)
          const actions = JSON.stringify(gt['operator_actions'] ?? [])
          const flapped = /flap (\w+)'s underlay link/.exec(actions)?.[1]
          t.ok(flapped, 'ground truth says whose link flaps')
          t.equal(final?.suspects[0]?.node, flapped, `${String(flapped)} named first among the suspects`)
          break
        }
        case 'multi_gateway_bad_node_claim_storm': {
          const bad = gt.bad_node as string
          if (!gt.is_claim_storm) {
            // MULTI_GW_CUT=all: gw3 cut off from every chassis. It may grab ports for a moment at the cut and at
            // the heal, and gw1/gw2 take them straight back: failover and failback, not a storm.
            t.same(storms, [], `cut ${String(gt['cut'])}: no claim-storm`)
            t.same(loads, [], 'no claim-load')
            if (gt['cut'] === 'all') t.ok(ofKind(signals, 'bfd-mass-down').some((s) => s.node === bad), `bfd-mass-down on ${bad}, the isolated node`)
            break
          }
          t.equal(gt.storm_lports.length, 5)
          for (const lport of gt.storm_lports) {
            const final = finalOf(stormsOn(signals, lport))
            t.ok(final, `claim-storm on ${lport}`)
            t.equal(final?.suspects[0]?.node, bad, `${bad} first among the suspects of ${lport}`)
            t.ok(final?.suspects[0]?.reasons.some((r) => r.startsWith('claims every stormed port')), 'because it claims every stormed port')
          }
          t.ok(loads.some((s) => s.status === 'firing'), 'claim-load for the Southbound DB as a whole')
          const load = finalOf(loads)
          t.same([...(load?.ports ?? [])].sort(), [...gt.storm_lports].sort(), 'the load is the five gateway ports')
          const quiet = signals.filter((s) => (s.kind === 'claim-storm' || s.kind === 'port-flap') && !gt.storm_lports.includes(s.lport))
          t.same(quiet, [], "the hypervisors' single VM-port claims produce nothing")
          t.ok(baseline.episodes.some((e) => e.node === bad), `side by side: the Loki rule fires on ${bad} too`)
          break
        }
        default:
          t.fail(`unknown scenario kind ${gt.kind}`)
      }
    })
  }
}

t.test('seed excerpts', async (t) => {
  const dir = join(FIXTURES, 'seed-excerpts')
  const lines = (f: string): string[] => readFixture(join(dir, f)).toString('utf8').split('\n').filter((l) => l !== '')

  t.test('the runbook\'s normal cr-lrp claims produce nothing', async (t) => {
    const { signals, baseline } = await runDetector([{ node: 'gw1', lines: lines('runbook-cr-lrp-claims.log') }])
    t.same(signals, [])
    t.same(baseline.episodes, [], 'and neither does the Loki rule')
  })

  t.test('ovs-discuss `on port 65535`: ofport-exhausted at the first such line', async (t) => {
    const all = lines('ovs-discuss-ofport-65535.log')
    const [results] = parseLogs([{ node: 'gw1', lines: all }])
    const d = createDetector()
    const firstIdx = all.findIndex((l) => /(on port|nonexistent port) 65535/.test(l))
    for (const [i, r] of (results ?? []).entries()) {
      const out = d.push(r)
      if (i < firstIdx) { t.same(out, [], `line ${i + 1}: nothing yet`); continue }
      if (i === firstIdx) {
        const x = ofKind(out, 'ofport-exhausted')
        t.equal(x.length, 1, 'fires on that very line')
        t.equal(x[0]?.status, 'firing')
        t.equal(x[0]?.severity, 'critical')
        t.equal(x[0]?.trigger, 'ofport-65535')
        t.equal(x[0]?.iface, 'ovn-aded97-0')
        t.equal(x[0]?.bridge, 'br-int')
      }
    }
    const end = d.flush()
    const resolved = ofKind(end, 'ofport-exhausted')
    t.equal(resolved.length, 1)
    t.equal(resolved[0]?.resolvedBy, 'shutdown')
    t.ok((resolved[0]?.lines ?? 0) >= 5, 'later 65535 lines counted into the same alert')
  })

  t.test('the mail-archive wrapped copy does not crash and is counted', async (t) => {
    const { detector, signals } = await runDetector([{ node: 'gw1', lines: lines('ovs-discuss-ofport-65535.wrapped.log') }])
    t.ok(detector.stats.unparsed > 0, 'wrapped halves counted as unparsed')
    t.ok(signals.every((s) => s.kind === 'ofport-exhausted' || s.kind === 'bfd-mass-down'), 'nothing absurd')
  })
})
