// One human sentence per signal: what, where, how bad, and which node to look at first.
// Names come from log text: control, bidi and lone-surrogate characters are replaced before
// they reach a terminal or a chat message, and long names are cut.
import type {
  BfdMassDownSignal, ClaimLoadSignal, ClaimStormSignal, OfportExhaustedSignal, OfportLeakSignal, PortFlapSignal, Signal
} from '../types.js'

interface Parts {
  /** Subject, e.g. `Claim storm on gateway port cr-lrp-83cee638…`. */
  what: string
  /** Numbers, tense-neutral. */
  facts: string
  /** Who is to blame, present and past tense; absent when nobody stands out. */
  blame?: { now: string; then: string }
  /** What to do while the condition is open. */
  advice: string
}

export function alertMessage (signal: Signal): string {
  const p = parts(signal)
  if (signal.status !== 'resolved') {
    return `${p.what}: ${p.facts}${p.blame === undefined ? '' : `; ${p.blame.now}`} — ${p.advice}.`
  }
  if (signal.resolvedBy === 'shutdown') {
    return `${p.what} was still open when claimstorm stopped: ${p.facts}${p.blame === undefined ? '' : `; ${p.blame.now}`}.`
  }
  return `${p.what} ended: ${p.facts}${p.blame === undefined ? '' : `; ${p.blame.then}`}.`
}

function parts (signal: Signal): Parts {
  switch (signal.kind) {
    case 'claim-storm': return claimStorm(signal)
    case 'claim-load': return claimLoad(signal)
    case 'port-flap': return portFlap(signal)
    case 'ofport-exhausted': return ofportExhausted(signal)
    case 'ofport-leak': return ofportLeak(signal)
    case 'bfd-mass-down': return bfdMassDown(signal)
    default: {
      const never: never = signal
      return { what: `Alert ${clean(String((never as { key?: unknown }).key))}`, facts: 'unknown signal kind', advice: 'upgrade claimstorm' }
    }
  }
}

function claimStorm (s: ClaimStormSignal): Parts {
  const port = `${s.portClass === 'gateway' ? 'gateway' : 'VIF'} port ${shortName(s.lport)}`
  const top = s.undetermined ? undefined : [...s.suspects].sort((a, b) => b.score - a.score)[0]
  const nodes = claimants(s, top?.node)
  const span = within(s.lastMs - s.startMs)
  const rates = `${rate(s.claimsPerSec)} claims/s${s.peakClaimsPerSec > s.claimsPerSec ? `, peak ${rate(s.peakClaimsPerSec)}` : ''}`
  const facts = nodes.length >= 2
    ? `${names(nodes)} took it from each other ${count(s.handoffs, 'time')} ${span} (${rates})`
    : nodes.length === 1
      ? `${names(nodes)} claimed it ${count(s.claimActs, 'time')} ${span} (${rates})`
      : `${count(s.claimActs, 'claim')} ${span} (${rates})`
  const what = `Claim storm on ${port}`
  if (top === undefined || top.node === '') {
    const among = nodes.length >= 2 ? ` between ${names(nodes)}` : ''
    return {
      what,
      facts,
      blame: { now: 'no single node stands out', then: 'no single node stood out' },
      advice: s.portClass === 'gateway'
        ? `check BFD and the underlay${among}`
        : `look for the same iface-id plugged on more than one node${among ? ` (${names(nodes)})` : ''}, or set requested-chassis`
    }
  }
  const node = clean(top.node)
  const ranked = [...s.suspects].sort((a, b) => b.score - a.score)
  const share = handoffShare(s.handoffPairs, top.node)
  const runnerUp = ranked.find((x) => x.node !== top.node)
  const runnerUpShare = runnerUp === undefined ? undefined : handoffShare(s.handoffPairs, runnerUp.node)
  // In a two-node fight both nodes are in every hand-off: then say what else sets the suspect apart.
  const apart = distinguishingReason(top.reasons, runnerUp?.reasons ?? [])
  const also = share !== undefined && runnerUpShare !== undefined && runnerUpShare >= share && apart !== undefined ? ` and ${apart}` : ''
  let blame: Parts['blame']
  if (share !== undefined && share >= 1) {
    blame = { now: `${node} is in every hand-off${also}`, then: `${node} was in every hand-off${also}` }
  } else if (share !== undefined && share >= 0.5) {
    const pct = `${Math.round(share * 100)}%`
    blame = { now: `${node} is in ${pct} of the hand-offs${also}`, then: `${node} was in ${pct} of the hand-offs${also}` }
  } else {
    const why = apart ?? (top.reasons[0] === undefined ? undefined : reasonText(top.reasons[0]))
    const tail = why === undefined ? '' : `: ${why}`
    blame = { now: `${node} is the main suspect${tail}`, then: `${node} was the main suspect${tail}` }
  }
  return {
    what,
    facts,
    blame,
    advice: s.portClass === 'gateway'
      ? `drain or fix ${node} first`
      : `check ${node} first for a second interface with this port's iface-id`
  }
}

function claimLoad (s: ClaimLoadSignal): Parts {
  const ms = s.lastMs - s.startMs
  const span = Number.isFinite(ms) && ms >= 1000 ? `for ${duration(ms)}` : 'within a second'
  const ports = s.ports.length === 0 ? '' : ` on ${count(s.ports.length, 'port')} (${names(s.ports.map(shortName))})`
  const by = s.nodes.length === 0 ? '' : ` claimed by ${names(s.nodes.map(clean))}`
  return {
    what: 'Southbound claim load',
    facts: `${rate(s.claimsPerSec)} claims/s (peak ${rate(s.peakClaimsPerSec)}) ${span}${ports}${by}`,
    advice: 'fix the claim storms behind it before the Southbound DB falls behind'
  }
}

function portFlap (s: PortFlapSignal): Parts {
  const node = clean(s.node)
  const span = within(s.lastMs - s.startMs)
  return {
    what: `Port flap of ${shortName(s.lport)} on ${node}`,
    facts: `claimed ${s.claims} and released ${count(s.releases, 'time')} ${span} (${rate(s.cyclesPerSec)} cycles/s)${ofportRange(s.ofports)}`,
    advice: `find what keeps re-plugging its interface on ${node}`
  }
}

function ofportExhausted (s: OfportExhaustedSignal): Parts {
  const node = clean(s.node)
  const bridge = clean(s.bridge)
  const iface = s.iface === undefined ? undefined : clean(s.iface)
  const how = s.trigger === 'alloc-failed'
    ? `no OpenFlow port number left for ${iface ?? 'a new interface'}`
    : s.trigger === 'ofport-65535'
      ? `${iface ?? 'an interface'} was put on port 65535`
      : 'ovs-vswitchd refers to nonexistent port 65535'
  return {
    what: `OpenFlow port number exhaustion on bridge ${bridge} of ${node}`,
    facts: `${how} (${count(s.lines, 'log line')} ${within(s.lastMs - s.startMs)})`,
    advice: `new interfaces on ${bridge} get no port; look for leaked ports on ${node}`
  }
}

function ofportLeak (s: OfportLeakSignal): Parts {
  const node = clean(s.node)
  const iface = clean(s.iface)
  const busy = s.busyErrors > 0 ? `, ${count(s.busyErrors, 'busy error')}` : ''
  const eta = s.status === 'resolved' || s.estimatedExhaustionMs === null || !Number.isFinite(s.estimatedExhaustionMs)
    ? ''
    : `; automatic numbers run out around ${isoMinute(s.estimatedExhaustionMs)}`
  return {
    what: `OpenFlow port number leak on bridge ${clean(s.bridge)} of ${node}`,
    facts: `${iface} re-added ${count(s.readds, 'time')} ${within(s.lastMs - s.startMs)}, ofport ${s.firstOfport} → ${s.lastOfport} (+${rate(s.growthPerMin)} per minute)${busy}${eta}`,
    advice: `find what keeps re-creating ${iface} on ${node}`
  }
}

function bfdMassDown (s: BfdMassDownSignal): Parts {
  const node = clean(s.node)
  const where = s.ifaces.length === 0 ? '' : ` on ${count(s.ifaces.length, 'tunnel')} (${names(s.ifaces.map(clean))})`
  const hidden = s.hiddenEstimate > 0 ? `, about ${s.hiddenEstimate} more hidden by log rate limiting` : ''
  return {
    what: `Mass BFD down on ${node}`,
    facts: `BFD went down ${count(s.downLogged, 'time')}${where} ${within(s.lastMs - s.startMs)}${hidden}`,
    advice: `${node} is losing its tunnels to other chassis; check the underlay between ${node} and ${s.ifaces.length === 0 ? 'its peers' : 'those peers'} first`
  }
}

// ---- helpers ------------------------------------------------------------------

/** Suspect first, then the other claimants by claims. */
function claimants (s: ClaimStormSignal, first: string | undefined): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  const add = (n: string): void => {
    if (n !== '' && !seen.has(n)) { seen.add(n); out.push(clean(n)) }
  }
  if (first !== undefined) add(first)
  for (const p of [...s.participants].sort((a, b) => b.claims - a.claims)) add(p.node)
  if (out.length === 0) {
    for (const pair of Object.keys(s.handoffPairs)) for (const n of pair.split('->')) add(n)
  }
  return out
}

/** The first reason of the suspect that the runner-up does not also have (numbers and details aside). */
function distinguishingReason (reasons: readonly string[], others: readonly string[]): string | undefined {
  const shared = new Set(others.map(bareReason))
  const r = reasons.find((x) => !shared.has(bareReason(x)))
  return r === undefined ? undefined : reasonText(r)
}

function bareReason (reason: string): string {
  return reason.replace(/\([^)]*\)/g, '').replace(/[\d×~.]+/g, '#').replace(/\s+/g, ' ').trim()
}

/** A detector reason fit for the sentence: without its parenthesized detail list when that makes it too long. */
function reasonText (reason: string): string {
  const text = reason.length > MAX_NAME ? reason.replace(/\s*\([^)]*\)/g, '') : reason
  return clean(text.replace(/\.$/, ''))
}

/** Fraction of the hand-offs `node` took part in; undefined when no pair is known. */
function handoffShare (pairs: Readonly<Record<string, number>>, node: string): number | undefined {
  let total = 0
  let mine = 0
  for (const [pair, n] of Object.entries(pairs)) {
    if (!Number.isFinite(n) || n <= 0) continue
    total += n
    const at = pair.indexOf('->')
    if (at >= 0 && (pair.slice(0, at) === node || pair.slice(at + 2) === node)) mine += n
  }
  return total === 0 ? undefined : mine / total
}

function ofportRange (ofports: readonly number[] | undefined): string {
  if (ofports === undefined || ofports.length === 0) return ''
  const first = ofports[0]
  const last = ofports[ofports.length - 1]
  return first === last ? `, ofport ${first}` : `, ofport ${first} → ${last}`
}

// Characters that can hide or fake text on a terminal or in a chat: C0/C1 controls, DEL,
// line/paragraph separators, bidi embeddings/overrides/isolates, lone surrogates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
const MAX_NAME = 64

/** A log-supplied name made safe to print, at most 64 characters. */
export function clean (name: string): string {
  const safe = name.replace(UNSAFE, '\ufffd')
  if (safe.length <= MAX_NAME) return safe
  let cut = MAX_NAME - 1
  // never split a surrogate pair
  if (/[\ud800-\udbff]/.test(safe.charAt(cut - 1))) cut -= 1
  return `${safe.slice(0, cut)}…`
}

const UUID_TAIL = /^(.*?[0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** `cr-lrp-83cee638-ce95-4eb1-b59b-1616db71fa90` → `cr-lrp-83cee638…`: the first UUID group identifies a port to a human. */
export function shortName (name: string): string {
  const m = UUID_TAIL.exec(name)
  return m?.[1] === undefined ? clean(name) : `${clean(m[1])}…`
}

function names (list: readonly string[], shown = 3): string {
  if (list.length <= 1) return list[0] ?? ''
  if (list.length <= shown) return `${list.slice(0, -1).join(', ')} and ${list[list.length - 1] ?? ''}`
  const rest = list.length - shown
  return `${list.slice(0, shown).join(', ')} and ${rest} more`
}

function count (n: number, noun: string): string {
  return `${n} ${n === 1 ? noun : `${noun}s`}`
}

function rate (x: number): string {
  if (!Number.isFinite(x) || x === 0) return '0'
  if (x >= 100) return String(Math.round(x))
  if (x >= 0.1) return String(Math.round(x * 10) / 10)
  return String(Number(x.toPrecision(1)))
}

/** `in 21 s`, `within a second`. */
function within (ms: number): string {
  return Number.isFinite(ms) && ms >= 1000 ? `in ${duration(ms)}` : 'within a second'
}

function duration (ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0 s'
  const s = ms / 1000
  if (s < 10) return `${Math.round(s * 10) / 10} s`
  if (s < 60) return `${Math.round(s)} s`
  const totalS = Math.round(s)
  if (totalS < 3600) return join2(Math.floor(totalS / 60), 'min', totalS % 60, 's')
  const totalMin = Math.round(s / 60)
  if (totalMin < 24 * 60) return join2(Math.floor(totalMin / 60), 'h', totalMin % 60, 'min')
  const totalH = Math.round(s / 3600)
  return join2(Math.floor(totalH / 24), 'd', totalH % 24, 'h')
}

function join2 (a: number, ua: string, b: number, ub: string): string {
  return b === 0 ? `${a} ${ua}` : `${a} ${ua} ${b} ${ub}`
}

function isoMinute (ms: number): string {
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? 'an unknown time' : `${d.toISOString().slice(0, 16)}Z`
}
