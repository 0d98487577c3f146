// What one scan found, as plain data: the terminal summary, the NDJSON output and the HTML report
// are all rendered from a ScanReport, never from the logs directly.
import type { BfdState, Severity, Signal, SignalKind, Suspect } from '../types.js'
import type { InputIssue } from './walk.js'
import type { NodeAttributionSource } from './attribute-node.js'

export type FileStatus = 'ok' | 'not-a-log' | 'corrupt-gzip' | 'read-error'

export interface ScannedFile {
  path: string
  /** Default node for the file's lines. */
  node: string
  nodeFrom: NodeAttributionSource
  /** Other nodes named by the records' own metadata (wrappers), when any. */
  recordNodes: string[]
  /** Bytes read from disk (compressed bytes for gzip). */
  bytes: number
  lines: number
  events: number
  unparsed: number
  firstMs: number | null
  lastMs: number | null
  status: FileStatus
}

/** One row of the summary: a signal key from firing to its last update. */
export interface AlertRow {
  key: string
  kind: SignalKind
  /** Highest severity the key reached. */
  severity: Severity
  /** What it is about: an lport, an interface, a node, or the Southbound DB. */
  subject: string
  /** Nodes involved (participants, or the node of a node-scoped signal). */
  nodes: string[]
  suspects: Suspect[]
  undetermined: boolean
  startMs: number
  endMs: number
  /** Peak rate in `rateUnit`, or null when the kind has none. */
  peakRate: number | null
  rateUnit: string
  /** True when the key resolved inside the input; false when the input ended with it still open. */
  resolved: boolean
  /** The key's last signal (all evidence). */
  last: Signal
}

export type ClaimAct = 'claim' | 'change' | 'release'

export interface ClaimPoint {
  tMs: number
  node: string
  act: ClaimAct
  /** Previous owner, for `change`. */
  from?: string
}

/** Every claim / release of one logical port, per node (bounded). */
export interface PortTimeline {
  lport: string
  points: ClaimPoint[]
  /** Points not kept once the bound was reached. */
  dropped: number
}

export interface BfdPoint {
  tMs: number
  node: string
  iface: string
  from: BfdState
  to: BfdState
}

export interface OfportPoint {
  tMs: number
  node: string
  bridge: string
  iface: string
  ofport: number
}

/** Where today's Loki rule would have fired: one continuous firing on one node. */
export interface BaselineFiring {
  node: string
  startMs: number
  endMs: number
  /** Highest rate it saw, in matching lines per second. */
  peakPerSec: number
}

export interface BaselineComparison {
  /** The rule as an operator would write it. */
  rule: string
  firings: BaselineFiring[]
  /** Nodes with input where it never fired. */
  silentNodes: string[]
  /** One line per disagreement with claimstorm, e.g. "VIF storm on 36116ceb-…: rule silent". */
  differences: string[]
}

export type VerdictLevel = 'ok' | 'warning' | 'critical'

export interface Verdict {
  level: VerdictLevel
  /** The one-line verdict, e.g. "CRITICAL: 5 gateway ports storming; drain gw3 first (in every hand-off)". */
  text: string
  /** The node to act on first, when the evidence names one. */
  culprit?: string
}

export interface ScanTotals {
  files: number
  bytes: number
  lines: number
  events: number
  unparsed: number
  /** Lines left out by --since / --until. */
  outsideWindow: number
  elapsedMs: number
}

export interface ScanReport {
  version: string
  paths: string[]
  files: ScannedFile[]
  issues: InputIssue[]
  /** Signals in emission order, up to `maxKeptSignals` (--json streams every one as it comes). */
  signals: Signal[]
  /** Signals not kept in `signals` once the bound was reached. */
  droppedSignals: number
  alerts: AlertRow[]
  /** Claim timelines of the ports that have an alert. */
  timelines: PortTimeline[]
  bfd: BfdPoint[]
  ofports: OfportPoint[]
  /** Points thinned out of `bfd` / `ofports` once their bound was reached (see `CollectOptions.maxPoints`). */
  droppedPoints: number
  baseline?: BaselineComparison
  totals: ScanTotals
  /** Event-time span of the input. */
  firstMs: number | null
  lastMs: number | null
  nodes: string[]
  verdict: Verdict
}
