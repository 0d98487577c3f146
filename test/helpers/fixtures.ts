// Access to the bundled test data (copied from ../shared/data, which users do not have).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))
export const LAB = join(FIXTURES, 'lab')

/** Reads a fixture file, gunzipping `.gz` transparently. */
export function readFixture (path: string): Buffer {
  const buf = readFileSync(path)
  return path.endsWith('.gz') ? gunzipSync(buf) : buf
}

/** Files under the fixture folders `dirs` (recursively, sorted) whose name `keep` accepts. */
export function fixtureFiles (dirs: readonly string[], keep: (name: string) => boolean): string[] {
  const out: string[] = []
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f)
      if (statSync(p).isDirectory()) walk(p)
      else if (keep(f)) out.push(p)
    }
  }
  for (const d of dirs) walk(join(FIXTURES, d))
  return out
}

/** The lab runs bundled under test/fixtures/lab (`sample` is ../shared/data/ovn-lab-sample). */
export function labRuns (): string[] {
  return readdirSync(LAB).filter((d) => statSync(join(LAB, d)).isDirectory()).sort()
}

export function labScenarios (run: string): string[] {
  return readdirSync(join(LAB, run)).filter((d) => statSync(join(LAB, run, d)).isDirectory()).sort()
}

export interface LabLog {
  /** Chassis directory name = node name (gw1, hv2, northd). */
  node: string
  daemon: 'ovn-controller' | 'ovs-vswitchd' | 'ovn-northd'
  path: string
  lines: string[]
}

/** Every daemon log of one scenario of one run, split into lines (no trailing empty line). */
export function labLogs (run: string, scenario: string): LabLog[] {
  const dir = join(LAB, run, scenario)
  const out: LabLog[] = []
  for (const node of readdirSync(dir).sort()) {
    const nodeDir = join(dir, node)
    if (!statSync(nodeDir).isDirectory()) continue
    for (const f of readdirSync(nodeDir).sort()) {
      const path = join(nodeDir, f)
      const text = readFixture(path).toString('utf8')
      const lines = text.split('\n')
      if (lines.at(-1) === '') lines.pop()
      out.push({ node, daemon: f.replace(/\.log(\.gz)?$/, '') as LabLog['daemon'], path, lines })
    }
  }
  return out
}

export interface GroundTruth {
  scenario: string
  kind: string
  is_claim_storm: boolean
  storm_lports: string[]
  window: { start: string; end: string }
  bad_node?: string
  phases: Array<{ name: string; label: string; start: string; end: string }>
  [k: string]: unknown
}

export function labGroundTruth (run: string, scenario: string): GroundTruth {
  return JSON.parse(readFileSync(join(LAB, run, scenario, 'ground_truth.json'), 'utf8')) as GroundTruth
}
