// parseVlog throughput against a hand-written baseline (one RegExp per template, same events),
// measured in the same process on two generated corpora (bench/lib/corpus.ts):
//   parse-mix    realistic mix, >= 90 % noise        parse-storm   100 % claim-storm replay
// and the end-to-end file → events path on the same two corpora, written to a file and read back
// through the line reader and line parser (src/parse/read-lines.ts, line-parser.ts), against the
// same reader + the regex baseline per line over the same file:
//   parse-file-e2e-mix                                 parse-file-e2e-storm
// plus, for information, the grammar-only path.
//
//   node --expose-gc --import tsx bench/parse.bench.ts [--lines N] [--only e2e|vlog]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateCorpus } from './lib/corpus.js'
import { parseVlog, vlogTimeToMs } from '../src/parse/vlog.js'
import type { AddressToken, Envelope, Level, OvsEvent, ParseResult, Source } from '../src/types.js'

const argLines = process.argv.indexOf('--lines')
const LINES = argLines === -1 ? 1_000_000 : Number(process.argv[argLines + 1])
const ROUNDS = 5
const argOnly = process.argv.indexOf('--only')
const ONLY = argOnly === -1 ? undefined : process.argv[argOnly + 1]
const SOURCE: Source = { wrapper: 'bare', node: 'gw1' }

// ---- baseline: catalog 1.9 envelope regex, then one RegExp per template ----------------------

const ENV_RE = /^(?:(\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?Z?)|ovs)\|(\d+)\|([A-Za-z_][A-Za-z0-9_]*)(?:\(([^)|]*)\))?\|(EMER|ERR|WARN|INFO|DBG)\|/

type Body = Record<string, unknown> & { kind: string }
interface Template { module: string | null; re: RegExp; build: (m: RegExpExecArray) => Body }

const MAC_RE = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$/
const IP4_RE = /^(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?$/
const IP6_RE = /^([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)(?:\/(\d{1,3}))?$/
function address (w: string): AddressToken {
  if (w === 'unknown' || w === 'dynamic' || w === 'router') return { type: 'keyword', value: w }
  if (MAC_RE.test(w)) return { type: 'mac', value: w }
  let m = IP4_RE.exec(w)
  if (m !== null) return m[2] === undefined ? { type: 'ipv4', value: m[1] as string } : { type: 'ipv4', value: m[1] as string, prefix: Number(m[2]) }
  m = IP6_RE.exec(w)
  if (m !== null) return m[2] === undefined ? { type: 'ipv6', value: m[1] as string } : { type: 'ipv6', value: m[1] as string, prefix: Number(m[2]) }
  return { type: 'other', value: w }
}
const g = (m: RegExpExecArray, i: number): string => m[i] as string

const TEMPLATES: Template[] = [
  { module: 'binding', re: /^Claiming lport (\S+) for this chassis\.$/, build: (m) => ({ kind: 'lport-claim', lport: g(m, 1), additional: false }) },
  { module: 'binding', re: /^Claiming lport (\S+) for this additional chassis\.$/, build: (m) => ({ kind: 'lport-claim', lport: g(m, 1), additional: true }) },
  { module: 'binding', re: /^Changing chassis for lport (\S+) from (\S+) to (\S+?)\.?$/, build: (m) => ({ kind: 'lport-chassis-change', lport: g(m, 1), from: g(m, 2), to: g(m, 3) }) },
  { module: 'binding', re: /^(\S+): Claiming ?(.*)$/, build: (m) => ({ kind: 'lport-claim-addresses', lport: g(m, 1), addresses: g(m, 2).split(' ').filter((w) => w !== '').map(address) }) },
  { module: 'binding', re: /^Releasing lport (\S+) from this chassis\.$/, build: (m) => ({ kind: 'lport-release', lport: g(m, 1), additional: false, form: 'this-chassis' }) },
  { module: 'binding', re: /^Releasing lport (\S+) from this chassis \(sb_readonly=(\d+)\)$/, build: (m) => ({ kind: 'lport-release', lport: g(m, 1), additional: false, sbReadonly: m[2] !== '0', form: 'sb-readonly' }) },
  { module: 'binding', re: /^Releasing lport (\S+) from this additional chassis\.$/, build: (m) => ({ kind: 'lport-release', lport: g(m, 1), additional: true, form: 'additional' }) },
  { module: 'binding', re: /^Releasing lport (\S+)$/, build: (m) => ({ kind: 'lport-release', lport: g(m, 1), additional: false, form: 'bare' }) },
  { module: 'binding', re: /^Postponed claim on logical port (\S+)\.$/, build: (m) => ({ kind: 'lport-claim-postponed', lport: g(m, 1) }) },
  { module: 'binding', re: /^Not claiming lport (\S+), chassis (\S+) requested-chassis (.*?) pb->chassis (.*)$/, build: (m) => ({ kind: 'lport-not-claiming', lport: g(m, 1), chassis: g(m, 2), requestedChassis: g(m, 3), pbChassis: g(m, 4) }) },
  { module: 'binding', re: /^Not claiming lport (\S+), chassis (\S+) requested-chassis (.*)$/, build: (m) => ({ kind: 'lport-not-claiming', lport: g(m, 1), chassis: g(m, 2), requestedChassis: g(m, 3) }) },
  { module: 'binding', re: /^Setting lport (\S+) (up|down) in Southbound$/, build: (m) => ({ kind: 'lport-sb-state', lport: g(m, 1), state: g(m, 2) }) },
  { module: 'binding', re: /^Setting lport (\S+) ovn-installed in OVS$/, build: (m) => ({ kind: 'lport-ovn-installed', target: 'lport', name: g(m, 1), action: 'set' }) },
  { module: 'binding', re: /^Removing (lport|iface) (\S+) ovn-installed in OVS$/, build: (m) => ({ kind: 'lport-ovn-installed', target: g(m, 1), name: g(m, 2), action: 'removed' }) },
  { module: 'if_status', re: /^if_status_handle_claims for (\S+?)(?:, is_vif = (\d+))?$/, build: (m) => m[2] === undefined ? { kind: 'if-status-claim', lport: g(m, 1) } : { kind: 'if-status-claim', lport: g(m, 1), isVif: m[2] !== '0' } },
  { module: 'pinctrl', re: /^Claiming virtual lport (\S+) for this chassis with the virtual parent (\S+)$/, build: (m) => ({ kind: 'lport-claim', lport: g(m, 1), additional: false, virtualParent: g(m, 2) }) },
  { module: 'pinctrl', re: /^Postponing virtual lport (\S+) claim by (\d+) ms$/, build: (m) => ({ kind: 'lport-claim-postponed', lport: g(m, 1), delayMs: Number(m[2]) }) },
  { module: 'bridge', re: /^bridge (\S+): (added|deleted) interface (\S+) on port (-?\d+)$/, build: (m) => ({ kind: m[2] === 'added' ? 'iface-added' : 'iface-deleted', bridge: g(m, 1), iface: g(m, 3), ofport: Number(m[4]) }) },
  { module: 'dpif', re: /^(\S+?)(?: at (\S+))?: failed to add (\S+) as port: (.*)$/, build: (m) => ({ kind: 'port-add-failed', datapath: m[2] === undefined ? g(m, 1) : `${g(m, 1)}@${g(m, 2)}`, iface: g(m, 3), error: g(m, 4) }) },
  { module: 'ofproto', re: /^(\S+): failed to allocated? ofp port number for (\S+)\.$/, build: (m) => ({ kind: 'ofport-alloc-failed', bridge: g(m, 1), iface: g(m, 2) }) },
  { module: 'ofproto', re: /^(\S+): cannot configure (bfd|LLDP|datapath|CFM|STP|RSTP) on nonexistent port (\d+)$/, build: (m) => ({ kind: 'ofproto-nonexistent-port', bridge: g(m, 1), feature: g(m, 2), ofport: Number(m[3]) }) },
  { module: 'ofproto', re: /^(\S+): cannot set queues on nonexistent port (\d+)$/, build: (m) => ({ kind: 'ofproto-nonexistent-port', bridge: g(m, 1), feature: 'queues', ofport: Number(m[2]) }) },
  { module: 'bfd', re: /^(\S+): BFD state change: (admin_down|down|init|up)->(admin_down|down|init|up) "([^"]*)"->"([^"]*)"\.?$/, build: (m) => ({ kind: 'bfd-state-change', iface: g(m, 1), oldState: g(m, 2), newState: g(m, 3), oldDiag: g(m, 4), newDiag: g(m, 5), wording: 'classic' }) },
  { module: 'bfd', re: /^(\S+): BFD state change: \(bfd\.SessionState: (admin_down|down|init|up), bfd\.LocalDiag: "([^"]*)"\) -> \(bfd\.SessionState: (admin_down|down|init|up), bfd\.LocalDiag: "([^"]*)"\)$/, build: (m) => ({ kind: 'bfd-state-change', iface: g(m, 1), oldState: g(m, 2), newState: g(m, 4), oldDiag: g(m, 3), newDiag: g(m, 5), wording: 'rfc' }) },
  { module: null, re: /^Dropped (\d+) log messages in last (\d+) seconds \(most recently, (\d+) seconds ago\) due to excessive rate$/, build: (m) => ({ kind: 'vlog-dropped', count: Number(m[1]), seconds: Number(m[2]), mostRecentSecondsAgo: Number(m[3]) }) }
]

function regexBaseline (line: string, source: Source): ParseResult {
  const m = ENV_RE.exec(line)
  if (m === null) return { kind: 'unparsed', code: 'not-vlog', text: line.slice(0, 512), bytes: Buffer.byteLength(line), source }
  const time = m[1] ?? null
  const module = m[3] as string
  const timeMs = time === null ? null : vlogTimeToMs(time)
  const seq = Number(m[2])
  const level = m[5] as Level
  const message = line.slice(m[0].length)
  const thread = m[4]
  const env: Envelope = thread === undefined
    ? { time, timeMs, seq, module, level, message, source }
    : { time, timeMs, seq, module, thread, level, message, source }
  const msg = env.message
  for (const tp of TEMPLATES) {
    if (tp.module !== null && tp.module !== module) continue
    const mm = tp.re.exec(msg)
    if (mm !== null) return Object.assign({ kind: '' }, env, tp.build(mm)) as OvsEvent
  }
  return { kind: 'vlog', ...env }
}

// ---- measuring -------------------------------------------------------------------------------

type Parse = (line: string, source: Source) => ParseResult
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})

function pass (parse: Parse, lines: string[]): number {
  gc()
  let sink = 0
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < lines.length; i++) sink += parse(lines[i] as string, SOURCE).kind.length
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  if (sink === 0) throw new Error('nothing parsed')
  return lines.length / s
}

/** Best of ROUNDS for each, the two interleaved so machine noise hits both. */
function compare (ours: Parse, base: Parse, lines: string[], rounds = ROUNDS): { value: number; baseline: number } {
  pass(ours, lines.slice(0, 50_000))
  pass(base, lines.slice(0, 50_000))
  let value = 0
  let baseline = 0
  for (let r = 0; r < rounds; r++) {
    baseline = Math.max(baseline, pass(base, lines))
    value = Math.max(value, pass(ours, lines))
  }
  return { value, baseline }
}

const rssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024)
const figures: object[] = []
function report (bench: string, value: number, baseline: number, extra: object = {}): void {
  figures.push({ bench, value: Math.round(value), unit: 'lines/s', baseline: Math.round(baseline), ratio: Math.round(value / baseline * 1000) / 1000, rssMB: rssMB(), ...extra })
}

const ours: Parse = (line, source) => parseVlog(line, source)

// sanity: both parsers agree on what they produce for the corpora (the bench compares equal work)
function agree (lines: string[]): void {
  for (const l of lines.slice(0, 20_000)) {
    const a = JSON.stringify(ours(l, SOURCE))
    const b = JSON.stringify(regexBaseline(l, SOURCE))
    if (a !== b && !(a.includes('"unparsed"') && b.includes('"unparsed"'))) throw new Error(`baseline and parseVlog disagree on ${l}\n${a}\n${b}`)
  }
}

for (const kind of ['mix', 'storm'] as const) {
  const corpus = generateCorpus({ kind, lines: LINES, seed: 7 })
  if (ONLY !== 'e2e') {
    agree(corpus.lines)
    const r = compare(ours, regexBaseline, corpus.lines)
    report(`parse-${kind}`, r.value, r.baseline, { lines: LINES, relevantShare: Math.round(corpus.relevant / corpus.records * 1000) / 1000 })
    if (kind === 'mix') {
      // the grammar on every line: what the fast path saves (fewer lines, it is slow)
      const few = corpus.lines.slice(0, Math.min(LINES, 50_000))
      const slow: Parse = (line, source) => parseVlog(line, source, { fastPath: false })
      const s = compare(slow, regexBaseline, few, 2)
      report('parse-mix-grammar-only', s.value, s.baseline, { lines: few.length })
    }
  }
  if (ONLY !== 'vlog') await endToEnd(kind, corpus.lines)
}

/** File → events through the line reader and line parser, when they exist. */
async function endToEnd (kind: string, lines: string[]): Promise<void> {
  let readLines: typeof import('../src/parse/read-lines.js')
  let lineParser: typeof import('../src/parse/line-parser.js')
  try {
    readLines = await import('../src/parse/read-lines.js')
    lineParser = await import('../src/parse/line-parser.js')
  } catch {
    process.stderr.write('parse-file-e2e skipped: src/parse/read-lines.ts or line-parser.ts not available\n')
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'claimstorm-bench-'))
  try {
    const file = join(dir, `${kind}.log`)
    writeFileSync(file, lines.join('\n') + '\n')
    const run = async (perLine: (raw: Buffer) => number): Promise<number> => {
      gc()
      let n = 0
      const t0 = process.hrtime.bigint()
      for await (const batch of readLines.openLineBatches(file)) {
        for (const raw of batch) if (Buffer.isBuffer(raw)) n += perLine(raw)
      }
      const s = Number(process.hrtime.bigint() - t0) / 1e9
      if (n === 0) throw new Error('nothing read')
      return lines.length / s
    }
    // the same file, same reader: the two differ only in what is done with each line. Best of ROUNDS, interleaved.
    const base = (raw: Buffer): number => regexBaseline(raw.toString('utf8'), SOURCE).kind.length
    let value = 0
    let baseline = 0
    for (let r = 0; r < ROUNDS; r++) {
      baseline = Math.max(baseline, await run(base))
      const parser = lineParser.createLineParser()
      value = Math.max(value, await run((raw) => parser.push(raw).length + 1))
    }
    report(`parse-file-e2e-${kind}`, value, baseline, { lines: lines.length, baselineIs: 'same reader + regex baseline per line' })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

for (const f of figures) process.stdout.write(JSON.stringify(f) + '\n')
