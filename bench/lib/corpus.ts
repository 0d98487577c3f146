// Deterministic, seeded corpora of vlog lines for benchmarks. Shapes are copied from the lab logs
// (test/fixtures/lab) and the catalog; names, times and numbers are generated.
//
//   mix    a realistic day: >= 90 % unrelated ovn-controller / ovs-vswitchd noise (inc_proc_eng,
//          poll_loop, reconnect, timeval, bfd packet lines and their continuation blocks, …), the
//          rest claim / release / ovn-installed / BFD state / interface lines
//   storm  100 % claim-storm replay: two or three gateways fighting over a few cr-lrp ports and
//          VIFs (`Changing chassis …`, `<lport>: Claiming …`, `Claiming lport …`)

export type CorpusKind = 'mix' | 'storm'

export interface CorpusOptions {
  kind: CorpusKind
  /** Number of physical lines (continuation lines included). */
  lines: number
  /** @default 1 */
  seed?: number
  /**
   * Epoch ms of the first line.
   * @default Date.UTC(2024, 8, 5, 16, 38, 54, 711)
   */
  startMs?: number
}

export interface Corpus {
  lines: string[]
  /** Lines that are vlog records (not continuation lines). */
  records: number
  /** Records that are claim / release / BFD / interface templates. */
  relevant: number
}

/** mulberry32: small, fast, good enough to pick shapes. */
export function seededRandom (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const hex = (rnd: () => number, n: number): string => {
  let s = ''
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rnd() * 16)]
  return s
}
const uuid = (rnd: () => number): string => `${hex(rnd, 8)}-${hex(rnd, 4)}-${hex(rnd, 4)}-${hex(rnd, 4)}-${hex(rnd, 12)}`
const pad5 = (n: number): string => n < 100000 ? String(n).padStart(5, '0') : String(n)

const BFD_BLOCK = [
  '  Forwarding: true', '  Detect Multiplier: 3', '  Concatenated Path Down: false', '  TX Interval: Approx 1000ms',
  '  RX Interval: Approx 1000ms', '  Detect Time: now +0ms', '  Next TX Time: now +942ms', '  Last TX Time: now -58ms', '',
  '  Local Flags: none', '  Local Session State: up', '  Local Diagnostic: No Diagnostic', '  Local Discriminator: 0x193eac6f',
  '  Local Minimum TX Interval: 100ms', '  Local Minimum RX Interval: 1000ms', '', '  Remote Flags: none',
  '  Remote Session State: up', '  Remote Diagnostic: No Diagnostic', '  Remote Discriminator: 0x660d1395',
  '  Remote Minimum TX Interval: 1000ms', '  Remote Minimum RX Interval: 1000ms', '  Remote Detect Multiplier: 3'
]

interface Shape { module: string; level: string; message: string; relevant: boolean; continuation?: readonly string[] }

export function generateCorpus (options: CorpusOptions): Corpus {
  const rnd = seededRandom(options.seed ?? 1)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1))

  const gws = ['gw1', 'gw2', 'gw3']
  const hvs = ['hv1', 'hv2', 'hv3']
  const crlrps = Array.from({ length: 5 }, (_, i) => ({ name: `cr-lrp-${uuid(rnd)}`, mac: `fa:16:3e:aa:0${i}:0${i}`, ip: `172.24.${i}.10/24` }))
  const vifs = Array.from({ length: 40 }, (_, i) => ({ name: uuid(rnd), mac: `fa:16:3e:22:${String(i).padStart(2, '0')}:02`, ip: `10.0.1.${i + 10}` }))
  const tunnels = [...gws, ...hvs].map((n) => `ovn-${n}-0`)
  const diags = ['No Diagnostic', 'Control Detection Time Expired', 'Neighbor Signaled Session Down']
  const states = ['admin_down', 'down', 'init', 'up']
  const engNodes = ['logical_flow_output', 'physical_flow_output', 'runtime_data', 'lflow_output', 'pflow_output']

  const noise = (): Shape => {
    const r = rnd()
    const tun = pick(tunnels)
    if (r < 0.12) return { module: 'inc_proc_eng', level: 'INFO', message: `node: ${pick(engNodes)}, recompute (forced) took ${int(501, 2400)}ms`, relevant: false }
    if (r < 0.20) return { module: 'inc_proc_eng', level: 'INFO', message: `node: ${pick(engNodes)}, handler for input ${pick(engNodes)} took ${int(501, 900)}ms`, relevant: false }
    if (r < 0.30) return { module: 'poll_loop', level: 'INFO', message: `wakeup due to [POLLIN] on fd ${int(3, 40)} (<->/run/ovn/ovnsb_db.sock) at lib/stream-fd.c:157 (${int(51, 101)}% CPU usage)`, relevant: false }
    if (r < 0.36) return { module: 'poll_loop', level: 'INFO', message: `wakeup due to ${int(0, 999)}-ms timeout at controller/binding.c:${int(100, 4000)} (${int(51, 99)}% CPU usage)`, relevant: false }
    if (r < 0.42) return { module: 'reconnect', level: pick(['INFO', 'WARN']), message: pick(['unix:/run/ovn/ovnsb_db.sock: connecting...', 'unix:/run/ovn/ovnsb_db.sock: connected', 'ssl:192.0.2.10:6642: connection dropped (Connection reset by peer)', 'tcp:192.0.2.11:6642: waiting 2 seconds before reconnect']), relevant: false }
    if (r < 0.47) return { module: 'timeval', level: 'WARN', message: `Unreasonably long ${int(1000, 9000)}ms poll interval (${int(10, 900)}ms user, ${int(10, 900)}ms system)`, relevant: false }
    if (r < 0.55) return { module: 'ovn_bfd', level: 'INFO', message: `${pick(['Enabled', 'Disabled'])} BFD on interface ${tun}`, relevant: false }
    if (r < 0.62) return { module: 'bfd', level: 'INFO', message: `Interface ${tun} remote mult value ${int(0, 3)} changed to 3`, relevant: false }
    if (r < 0.67) return { module: 'bfd', level: 'INFO', message: `${tun}: ${pick(['New remote min_rx.', 'Initiating poll sequence', 'Poll sequence terminated.'])}`, relevant: false, ...(rnd() < 0.2 ? { continuation: BFD_BLOCK } : {}) }
    if (r < 0.71) return { module: 'bfd', level: 'INFO', message: `${tun}: long delay of ${int(1100, 3000)}ms (expected 1000ms) sending BFD control message`, relevant: false }
    if (r < 0.76) return { module: 'netdev_linux', level: 'INFO', message: `ioctl(SIOCGIFINDEX) on genev_sys_6081 device failed: No such device`, relevant: false }
    if (r < 0.80) return { module: 'ofproto_dpif_monitor', level: 'INFO', message: pick(['monitor thread created', 'monitor thread terminated']), relevant: false }
    if (r < 0.84) return { module: 'rconn', level: 'INFO', message: `unix:/run/openvswitch/br-int.mgmt: ${pick(['connecting...', 'connected'])}`, relevant: false }
    if (r < 0.88) return { module: 'memory', level: 'INFO', message: `${int(20000, 900000)} kB peak resident set size after ${int(1, 9000)}.${int(0, 9)} seconds`, relevant: false }
    if (r < 0.91) return { module: 'connmgr', level: 'INFO', message: `br-int<->unix#${int(1, 9)}: ${int(1, 900)} flow_mods in the last ${int(1, 59)} s (${int(1, 900)} adds, ${int(1, 90)} deletes)`, relevant: false }
    if (r < 0.94) return { module: 'main', level: 'INFO', message: pick(['OVNSB IDL reconnected, force recompute.', 'OVS IDL reconnected, force recompute.', 'OVS feature set changed, force recompute.']), relevant: false }
    if (r < 0.97) return { module: 'if_status', level: 'WARN', message: `Trying to release unknown interface ${pick(crlrps).name}`, relevant: false }
    return { module: 'coverage', level: 'INFO', message: `Event coverage, avg rate over last: 5 seconds, last minute, last hour,  hash=${hex(rnd, 8)}:`, relevant: false }
  }

  const relevant = (): Shape => {
    const r = rnd()
    const port = pick(crlrps)
    const vif = pick(vifs)
    const [a, b] = rnd() < 0.5 ? [pick(gws), pick(gws)] : [pick(hvs), pick(hvs)]
    if (r < 0.25) return { module: 'binding', level: 'INFO', message: `Changing chassis for lport ${port.name} from ${a} to ${b}.`, relevant: true }
    if (r < 0.45) return { module: 'binding', level: 'INFO', message: `${port.name}: Claiming ${port.mac} ${port.ip}`, relevant: true }
    if (r < 0.55) return { module: 'binding', level: 'INFO', message: `${vif.name}: Claiming ${vif.mac} ${vif.ip}`, relevant: true }
    if (r < 0.62) return { module: 'binding', level: 'INFO', message: `Claiming lport ${vif.name} for this chassis.`, relevant: true }
    if (r < 0.66) return { module: 'binding', level: 'INFO', message: `Releasing lport ${vif.name} from this chassis (sb_readonly=0)`, relevant: true }
    if (r < 0.68) return { module: 'binding', level: 'INFO', message: `Setting lport ${vif.name} ${pick(['up in Southbound', 'ovn-installed in OVS', 'down in Southbound'])}`, relevant: true }
    if (r < 0.78) return { module: 'bfd', level: 'INFO', message: `${pick(tunnels)}: BFD state change: ${pick(states)}->${pick(states)} "${pick(diags)}"->"${pick(diags)}".`, relevant: true, continuation: BFD_BLOCK }
    if (r < 0.84) return { module: 'bridge', level: 'INFO', message: `bridge br-int: ${pick(['added', 'deleted'])} interface tap${vif.name.slice(0, 11)} on port ${int(1, 900)}`, relevant: true }
    if (r < 0.90) return { module: pick(['bfd', 'binding', 'netdev_linux']), level: 'INFO', message: `Dropped ${int(1, 90)} log messages in last ${int(1, 60)} seconds (most recently, ${int(0, 30)} seconds ago) due to excessive rate`, relevant: true }
    if (r < 0.95) return { module: 'ofproto', level: 'WARN', message: `br-int: cannot configure ${pick(['bfd', 'LLDP', 'datapath'])} on nonexistent port 65535`, relevant: true }
    return { module: 'dpif', level: 'WARN', message: `system@ovs-system: failed to add ${pick(tunnels)} as port: Device or resource busy`, relevant: true }
  }

  const storm = (): Shape => {
    const r = rnd()
    const port = rnd() < 0.8 ? pick(crlrps) : pick(vifs)
    const [a, b] = [pick(gws), pick(gws)]
    if (r < 0.45) return { module: 'binding', level: 'INFO', message: `Changing chassis for lport ${port.name} from ${a} to ${b}.`, relevant: true }
    if (r < 0.9) return { module: 'binding', level: 'INFO', message: `${port.name}: Claiming ${port.mac} ${port.ip}`, relevant: true }
    return { module: 'binding', level: 'INFO', message: `Claiming lport ${port.name} for this chassis.`, relevant: true }
  }

  const out: string[] = []
  let records = 0
  let relevantCount = 0
  let timeMs = options.startMs ?? Date.UTC(2024, 8, 5, 16, 38, 54, 711)
  const serials = new Map<string, number>()
  while (out.length < options.lines) {
    const rec = options.kind === 'storm' ? storm() : rnd() < 0.92 ? noise() : relevant()
    timeMs += int(0, 7)
    const thread = rec.module === 'bfd' && rnd() < 0.5 ? `(monitor${int(1, 90)})` : ''
    const serialKey = thread
    const serial = (serials.get(serialKey) ?? int(1, 90000)) + 1
    serials.set(serialKey, serial)
    out.push(`${new Date(timeMs).toISOString()}|${pad5(serial)}|${rec.module}${thread}|${rec.level}|${rec.message}`)
    records++
    if (rec.relevant) relevantCount++
    if (rec.continuation !== undefined) for (const c of rec.continuation) if (out.length < options.lines) out.push(c)
  }
  return { lines: out, records, relevant: relevantCount }
}
