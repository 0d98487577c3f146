// The data that flows through claimstorm, in order:
//
//   raw line ──unwrap──▶ (line, Source) ──parse──▶ OvsEvent | Unparsed
//            ──detect──▶ Signal ──alert──▶ AlertRecord ──serialize──▶ NDJSON / Forward
//
// Every union is discriminated by a string-literal `kind` (or `code`), never an enum.

/** vlog level names exactly as `%p` prints them. */
export type Level = 'EMER' | 'ERR' | 'WARN' | 'INFO' | 'DBG'

/** Which wrapper a line arrived in. `bare` means a plain vlog line. */
export type WrapperKind =
  | 'bare'
  | 'cri'
  | 'docker'
  | 'syslog-rfc3164'
  | 'syslog-rfc5424'
  | 'journald-short'
  | 'journald-json'
  | 'fluent-bit'
  | 'vector'
  | 'json'

/** What the wrapper (or the caller) knows about where a line came from. An OVN line never names its own chassis: `node` is the only attribution. */
export interface Source {
  wrapper: WrapperKind
  /** Kubernetes node / host name: the claimer of every claim line. */
  node?: string
  pod?: string
  namespace?: string
  container?: string
  /** File the line was read from, when known. */
  file?: string
  /** `stdout` / `stderr` for container logs. */
  stream?: string
  /** Program name from a syslog / journald header (`ovn-controller`, `ovs-vswitchd`). */
  program?: string
  pid?: number
  /** The wrapper's own timestamp, as written. */
  wrapperTime?: string
  /** The wrapper's timestamp in epoch ms (UTC), when it could be read. */
  wrapperTimeMs?: number
}

/** The vlog envelope every parsed event carries. */
export interface Envelope {
  /** Timestamp as logged; `null` for the syslog pattern, which has none. */
  time: string | null
  /** `time` as epoch milliseconds (UTC); `null` when the line has no timestamp. */
  timeMs: number | null
  /** Per-thread serial number (`%05N`); `null` when the pattern has none (RFC 5424). */
  seq: number | null
  module: string
  /** `%T` without parentheses (`monitor82`, `ovs-vswitchd`, `pmd-c03/id:8`), when present. */
  thread?: string
  level: Level
  /** The whole message after the fourth `|`. */
  message: string
  /** Continuation lines (1.7 of the catalog) attached to this record, when any. */
  continuation?: string[]
  source: Source
}

export type AddressToken =
  | { type: 'mac'; value: string }
  | { type: 'ipv4'; value: string; prefix?: number }
  | { type: 'ipv6'; value: string; prefix?: number }
  | { type: 'keyword'; value: 'unknown' | 'dynamic' | 'router' }
  | { type: 'other'; value: string }

export type BfdState = 'admin_down' | 'down' | 'init' | 'up'

// ---- ovn-controller ---------------------------------------------------------

export interface LportClaimEvent extends Envelope {
  kind: 'lport-claim'
  lport: string
  /** `… for this additional chassis.` (multi-chassis / live migration). */
  additional: boolean
  /** pinctrl's `Claiming virtual lport X for this chassis with the virtual parent P`. */
  virtualParent?: string
}
export interface LportChassisChangeEvent extends Envelope {
  kind: 'lport-chassis-change'
  lport: string
  /** Previous owner (Chassis name = OVS system-id). */
  from: string
  /** This chassis (Chassis name = OVS system-id). */
  to: string
}
export interface LportClaimAddressesEvent extends Envelope {
  kind: 'lport-claim-addresses'
  lport: string
  addresses: AddressToken[]
}
export interface LportReleaseEvent extends Envelope {
  kind: 'lport-release'
  lport: string
  /** `from this additional chassis.` */
  additional: boolean
  /** `(sb_readonly=N)` when present. */
  sbReadonly?: boolean
  /** Which of the four templates. */
  form: 'this-chassis' | 'sb-readonly' | 'additional' | 'bare'
}
export interface LportClaimPostponedEvent extends Envelope {
  kind: 'lport-claim-postponed'
  lport: string
  /** Set for pinctrl's `Postponing virtual lport X claim by N ms`. */
  delayMs?: number
}
export interface LportNotClaimingEvent extends Envelope {
  kind: 'lport-not-claiming'
  lport: string
  chassis: string
  requestedChassis: string
  /** Only in the newer form (`… pb->chassis X`); empty string when unbound. */
  pbChassis?: string
}
export interface LportSbStateEvent extends Envelope {
  kind: 'lport-sb-state'
  lport: string
  state: 'up' | 'down'
}
export interface LportOvnInstalledEvent extends Envelope {
  kind: 'lport-ovn-installed'
  /** `lport` for `Setting/Removing lport X …`, `iface` for `Removing iface X …`. */
  target: 'lport' | 'iface'
  name: string
  action: 'set' | 'removed'
}
export interface IfStatusClaimEvent extends Envelope {
  kind: 'if-status-claim'
  lport: string
  /** Only in the DBG form `…, is_vif = N`. */
  isVif?: boolean
}

// ---- ovs-vswitchd -----------------------------------------------------------

export interface IfaceAddedEvent extends Envelope {
  kind: 'iface-added'
  bridge: string
  iface: string
  ofport: number
}
export interface IfaceDeletedEvent extends Envelope {
  kind: 'iface-deleted'
  bridge: string
  iface: string
  ofport: number
}
export interface PortAddFailedEvent extends Envelope {
  kind: 'port-add-failed'
  /** `system@ovs-system`, `netdev@ovs-netdev`. */
  datapath: string
  iface: string
  error: string
}
export interface OfportAllocFailedEvent extends Envelope {
  kind: 'ofport-alloc-failed'
  bridge: string
  iface: string
}
export interface OfprotoNonexistentPortEvent extends Envelope {
  kind: 'ofproto-nonexistent-port'
  bridge: string
  /** `bfd`, `LLDP`, `datapath`, `CFM`, `STP`, `RSTP`, `queues`. */
  feature: string
  ofport: number
}
export interface BfdStateChangeEvent extends Envelope {
  kind: 'bfd-state-change'
  iface: string
  oldState: BfdState
  newState: BfdState
  oldDiag: string
  newDiag: string
  /** `classic`: `up->down "A"->"B".` (OVS ≤ 3.3.0); `rfc`: `(bfd.SessionState: …) -> (…)` (OVS ≥ 3.4). */
  wording: 'classic' | 'rfc'
}

// ---- vlog itself ------------------------------------------------------------

export interface VlogDroppedEvent extends Envelope {
  kind: 'vlog-dropped'
  /** Messages suppressed by the rate limiter of this module's call site. */
  count: number
  /** "in last N seconds". */
  seconds: number
  /** "most recently, N seconds ago". */
  mostRecentSecondsAgo: number
}
/** Any other well-formed vlog line: envelope only. */
export interface VlogEvent extends Envelope {
  kind: 'vlog'
}

export type OvsEvent =
  | LportClaimEvent
  | LportChassisChangeEvent
  | LportClaimAddressesEvent
  | LportReleaseEvent
  | LportClaimPostponedEvent
  | LportNotClaimingEvent
  | LportSbStateEvent
  | LportOvnInstalledEvent
  | IfStatusClaimEvent
  | IfaceAddedEvent
  | IfaceDeletedEvent
  | PortAddFailedEvent
  | OfportAllocFailedEvent
  | OfprotoNonexistentPortEvent
  | BfdStateChangeEvent
  | VlogDroppedEvent
  | VlogEvent

export type EventKind = OvsEvent['kind']

/** Why a line could not be read. Per-line failures are data, never exceptions. */
export type UnparsedCode =
  | 'not-vlog'
  | 'truncated'
  | 'too-long'
  | 'bad-timestamp'
  | 'bad-level'
  | 'invalid-utf8'
  | 'binary'
  | 'empty'
  | 'bad-wrapper'
  | 'no-message'
  | 'orphan-continuation'

export interface Unparsed {
  kind: 'unparsed'
  code: UnparsedCode
  /** The offending text, cut to `maxUnparsedTextBytes`. */
  text: string
  /** Length of the original line in bytes. */
  bytes: number
  /** Human-readable detail (e.g. where the envelope broke). */
  detail?: string
  source: Source
}

export type ParseResult = OvsEvent | Unparsed

// ---- detection --------------------------------------------------------------

export type Severity = 'info' | 'warning' | 'critical'
export type SignalStatus = 'firing' | 'update' | 'resolved'

export interface SignalBase {
  /** Stable identity: rule + subject, e.g. `claim-storm:cr-lrp-83cee638-…`. */
  key: string
  status: SignalStatus
  severity: Severity
  /** Event time of the first evidence, epoch ms. */
  startMs: number
  /** Event time of the latest evidence, epoch ms. */
  lastMs: number
  /** Why it resolved: no activity for `quietMs`, or the process is shutting down with the condition still open. */
  resolvedBy?: 'quiet' | 'shutdown'
}

export interface Suspect {
  node: string
  /** Chassis name(s) (OVS system-id) seen for this node, when learned. */
  chassis?: string
  /** Higher is more suspicious; only the order is meaningful. */
  score: number
  reasons: string[]
}

export interface Participant {
  node: string
  chassis?: string
  claims: number
  releases: number
  claimsPerSec: number
}

export interface ClaimStormSignal extends SignalBase {
  kind: 'claim-storm'
  lport: string
  portClass: 'gateway' | 'vif'
  claimActs: number
  handoffs: number
  /** Hand-offs by pair, `"gw1->gw3": 43`. */
  handoffPairs: Record<string, number>
  claimsPerSec: number
  peakClaimsPerSec: number
  participants: Participant[]
  suspects: Suspect[]
  /** True when the evidence does not single out one node. */
  undetermined: boolean
  /** The throttle regime assumed (stated or inferred). */
  throttle: { regime: ThrottleRegime; minReclaimIntervalMs: number | null; inferred: boolean }
}

export interface ClaimLoadSignal extends SignalBase {
  kind: 'claim-load'
  /** Claim commits per second hitting the Southbound DB, all ports together. */
  claimsPerSec: number
  peakClaimsPerSec: number
  ports: string[]
  nodes: string[]
}

export interface PortFlapSignal extends SignalBase {
  kind: 'port-flap'
  lport: string
  node: string
  claims: number
  releases: number
  cyclesPerSec: number
  /** ofport numbers seen for the port's interface on that node, when correlated. */
  ofports?: number[]
}

export interface OfportExhaustedSignal extends SignalBase {
  kind: 'ofport-exhausted'
  node: string
  bridge: string
  iface?: string
  trigger: 'ofport-65535' | 'nonexistent-port-65535' | 'alloc-failed'
  lines: number
}

export interface OfportLeakSignal extends SignalBase {
  kind: 'ofport-leak'
  node: string
  bridge: string
  iface: string
  readds: number
  firstOfport: number
  lastOfport: number
  growthPerMin: number
  busyErrors: number
  /** Event-time estimate of when automatic numbers (1…32767) run out; null when not climbing, or when the growth stays below what OVS's one-hour reuse of deleted numbers absorbs (< 32767 an hour, no busy errors). */
  estimatedExhaustionMs: number | null
}

export interface BfdMassDownSignal extends SignalBase {
  kind: 'bfd-mass-down'
  node: string
  /** State changes to down seen as lines. */
  downLogged: number
  /** State changes hidden in `Dropped N log messages` lines of module bfd (an estimate: bfd's limiter is shared by several templates). */
  hiddenEstimate: number
  ifaces: string[]
  estimated: boolean
}

export type Signal =
  | ClaimStormSignal
  | ClaimLoadSignal
  | PortFlapSignal
  | OfportExhaustedSignal
  | OfportLeakSignal
  | BfdMassDownSignal

export type SignalKind = Signal['kind']

/** OVN's per-port-per-chassis re-claim throttle: none before 22.09, 500 ms from 22.09, 2 s from 24.03.7 / 25.03.2 / 25.09. */
export type ThrottleRegime = 'none' | '500ms' | '2s'
