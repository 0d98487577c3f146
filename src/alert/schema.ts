// The one alert schema. It drives three things that must never disagree: the compiled
// serializer (fast-json-stringify drops any field not listed here), the `AlertRecord`
// type in alert-record.ts (kept in step by the round-trip tests) and the field table in
// docs/alert-record.md (generated from `description`/`examples` by scripts/alert-examples.ts).

/** A JSON Schema node, limited to what the alert schema uses. */
export interface AlertSchemaNode {
  readonly type: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean'
  readonly description: string
  /** One realistic value (the first is shown in the docs). */
  readonly examples?: readonly unknown[]
  readonly enum?: readonly string[]
  readonly format?: 'date-time'
  readonly properties?: Readonly<Record<string, AlertSchemaNode>>
  readonly required?: readonly string[]
  readonly additionalProperties?: false
  readonly items?: AlertSchemaNode
}

const SIGNAL_KINDS = ['claim-storm', 'claim-load', 'port-flap', 'ofport-exhausted', 'ofport-leak', 'bfd-mass-down'] as const
const STATUSES = ['firing', 'update', 'resolved'] as const
const SEVERITIES = ['info', 'warning', 'critical'] as const

const str = (description: string, example: string, extra: Partial<AlertSchemaNode> = {}): AlertSchemaNode =>
  ({ type: 'string', description, examples: [example], ...extra })
const oneOf = (values: readonly string[], description: string, example: string): AlertSchemaNode =>
  ({ type: 'string', description, enum: values, examples: [example] })
const int = (description: string, example: number): AlertSchemaNode => ({ type: 'integer', description, examples: [example] })
const num = (description: string, example: number): AlertSchemaNode => ({ type: 'number', description, examples: [example] })
const bool = (description: string, example: boolean): AlertSchemaNode => ({ type: 'boolean', description, examples: [example] })
const date = (description: string, example: string): AlertSchemaNode =>
  ({ type: 'string', format: 'date-time', description, examples: [example] })
const list = (items: AlertSchemaNode, description: string, example?: unknown): AlertSchemaNode =>
  example === undefined ? { type: 'array', description, items } : { type: 'array', description, items, examples: [example] }
const obj = (description: string, properties: Record<string, AlertSchemaNode>, required: readonly string[] = []): AlertSchemaNode =>
  ({ type: 'object', description, properties, required, additionalProperties: false })

/** JSON Schema of an alert record (ECS field names for Elasticsearch, `labels` for Loki, evidence under `ovn`). */
export const ALERT_SCHEMA: AlertSchemaNode = deepFreeze(obj('One alert record: one state change (firing, update, resolved) of one detected condition.', {
  '@timestamp': date('Event time of the latest evidence (`lastMs` of the signal) for every status: when the detector, in log time, saw what this record reports. `event.start` holds the first evidence.', '2026-11-22T07:46:14.556Z'),
  message: str('One sentence for humans: what, where, how bad, and which node to look at first. Built from the same evidence as `ovn.*`; do not parse it.', 'Claim storm on gateway port cr-lrp-83cee638…: gw3 and gw1 took it from each other 86 times in 21 s (4.1 claims/s, peak 5); gw3 is in every hand-off and claims every stormed port (5/5) — drain or fix gw3 first.'),
  event: obj('ECS event fields.', {
    kind: oneOf(['alert'], 'Always `alert` (ECS: an alert raised by a detection rule).', 'alert'),
    action: oneOf(STATUSES, '`firing` when the condition is first detected, `update` while it goes on (evidence grew), `resolved` once it stopped.', 'firing'),
    dataset: oneOf(['claimstorm.alert'], 'Always `claimstorm.alert`; routes records to one Elasticsearch data stream.', 'claimstorm.alert'),
    start: date('Event time of the first evidence (`startMs`).', '2026-11-22T07:45:53.510Z'),
    end: date('Event time of the last evidence; only on `resolved`.', '2026-11-22T07:46:14.556Z'),
    duration: int('`end` (or, while open, the latest evidence) minus `start`, in nanoseconds as ECS requires.', 21046000000),
    severity: int('Numeric severity, higher is worse: 1 = info, 2 = warning, 3 = critical. A `resolved` record keeps the severity the condition had.', 3)
  }, ['kind', 'action', 'dataset', 'start', 'duration', 'severity']),
  log: obj('ECS log fields.', {
    level: oneOf(SEVERITIES, 'The signal severity (`info`, `warning`, `critical`), except `info` on `resolved` records so log viewers do not paint an all-clear red.', 'critical')
  }, ['level']),
  rule: obj('ECS rule fields: which detection rule fired.', {
    id: oneOf(SIGNAL_KINDS, 'The rule (= signal kind).', 'claim-storm'),
    name: str('Human name of the rule.', 'OVN claim storm'),
    category: oneOf(['ovn-binding', 'ovs-ofport', 'ovs-bfd'], 'What the rule watches: OVN port bindings (claims), OpenFlow port numbers, or BFD sessions.', 'ovn-binding')
  }, ['id', 'name', 'category']),
  host: obj('The node at fault. Absent when the evidence does not single one out (an undetermined claim storm, the cluster-wide claim load) or the lines named no node.', {
    name: str('The first suspect of a claim storm, or the node of a node-scoped signal (port flap, OpenFlow port numbers, BFD).', 'gw3')
  }, ['name']),
  observer: obj('ECS observer fields: the program that raised the alert.', {
    product: oneOf(['claimstorm'], 'Always `claimstorm`.', 'claimstorm'),
    vendor: oneOf(['claimstorm'], 'Always `claimstorm`.', 'claimstorm'),
    version: str('claimstorm version that produced the record.', '0.1.0')
  }, ['product', 'vendor', 'version']),
  ecs: obj('ECS version the record follows.', {
    version: str('ECS version.', '8.11.0')
  }, ['version']),
  tags: list(str('A tag.', 'claimstorm'), 'Low-cardinality tags: `claimstorm`, the rule id, then when they apply the port class (`gateway`, `vif`), `undetermined`, `estimated`, `shutdown` (still open when claimstorm stopped).', ['claimstorm', 'claim-storm', 'gateway']),
  labels: obj('The only fields meant as Loki stream labels (also ECS `labels`): four keys with few values each. Everything high-cardinality (ports, interfaces, MACs) lives in `ovn.*`.', {
    rule: oneOf(SIGNAL_KINDS, 'Same as `rule.id`.', 'claim-storm'),
    severity: oneOf(SEVERITIES, 'The signal severity (unchanged on `resolved`).', 'critical'),
    status: oneOf(STATUSES, 'Same as `event.action`.', 'firing'),
    node: str('`host.name`, or `unknown` when no node is at fault.', 'gw3')
  }, ['rule', 'severity', 'status', 'node']),
  ovn: obj('The detector\'s evidence (high-cardinality: never use as labels). Which fields are present depends on `rule.id`; see the per-rule tables.', {
    key: str('Stable identity of the condition (rule + subject), identical on its firing, update and resolved records: group or deduplicate on it.', 'claim-storm:cr-lrp-83cee638-ce95-4eb1-b59b-1616db71fa90'),
    resolved_by: oneOf(['quiet', 'shutdown'], 'Only on `resolved`: `quiet` when no evidence arrived for the quiet period, `shutdown` when claimstorm stopped with the condition still open.', 'quiet'),
    lport: str('Logical port (Port_Binding logical_port) fought over or flapping.', 'cr-lrp-83cee638-ce95-4eb1-b59b-1616db71fa90'),
    port_class: oneOf(['gateway', 'vif'], '`gateway` for a chassis-redirect (cr-lrp) port, `vif` for a VM/pod interface.', 'gateway'),
    claim_acts: int('Claims of the port seen in the logs (all claimants).', 86),
    handoffs: int('Owner changes of the port between two nodes.', 86),
    handoff_pairs: list(obj('Hand-offs from one node to another.', {
      from: str('Node that lost the port.', 'gw1'),
      to: str('Node that took it.', 'gw3'),
      count: int('Hand-offs in that direction.', 43)
    }, ['from', 'to', 'count']), 'Hand-offs per direction, most frequent first (a list, not a map, so node names never become field names).'),
    claims_per_sec: num('Claims per second: of the port over the storm (claim storm), or hitting the Southbound DB from all ports together (claim load).', 4.086),
    peak_claims_per_sec: num('Highest claims per second seen in any one window.', 5),
    participants: list(obj('One node claiming the port.', {
      node: str('Node name.', 'gw3'),
      chassis: str('OVS system-id(s) seen for the node, when learned.', 'gw3'),
      claims: int('Claims by this node.', 43),
      releases: int('Releases by this node.', 0),
      claims_per_sec: num('Claims per second by this node.', 2.043)
    }, ['node', 'claims', 'releases', 'claims_per_sec']), 'Nodes claiming the port, most claims first.'),
    suspects: list(obj('A node the evidence points at.', {
      node: str('Node name.', 'gw3'),
      chassis: str('OVS system-id(s) seen for the node, when learned.', 'gw3'),
      score: num('Suspicion score: higher is more suspicious; only the order is meaningful.', 0.93),
      reasons: list(str('A reason.', 'in every hand-off (86/86)'), 'Why the node is suspected.', ['in every hand-off (86/86)', 'claims every stormed port (5/5)'])
    }, ['node', 'score', 'reasons']), 'Suspected nodes, most suspicious first; `host.name` is the first unless `undetermined`.'),
    undetermined: bool('True when the evidence does not single out one node (then `host.name` is absent).', false),
    throttle: obj('OVN\'s per-port per-chassis re-claim throttle assumed when judging the rate.', {
      regime: oneOf(['none', '500ms', '2s'], '`none` (OVN < 22.09), `500ms` (22.09+), `2s` (24.03.7, 25.03.2, 25.09+).', '500ms'),
      min_reclaim_interval_ms: int('Minimum interval between two claims of a port by one chassis, in ms; absent for `none`.', 500),
      inferred: bool('True when the regime was inferred from the observed rates rather than configured.', true)
    }, ['regime', 'inferred']),
    lports: list(str('A logical port.', 'cr-lrp-83cee638-ce95-4eb1-b59b-1616db71fa90'), 'Ports behind the claim load (first `maxListItems`).', ['cr-lrp-003518a7-6ba1-494f-a5b6-f3fec4644494', 'cr-lrp-83cee638-ce95-4eb1-b59b-1616db71fa90']),
    lport_count: int('Number of ports behind the claim load (the list may be cut).', 5),
    nodes: list(str('A node.', 'gw3'), 'Nodes behind the claim load (first `maxListItems`).', ['gw1', 'gw2', 'gw3']),
    node_count: int('Number of nodes behind the claim load (the list may be cut).', 3),
    claims: int('Claims of the flapping port on its node.', 21),
    releases: int('Releases of the flapping port on its node.', 20),
    cycles_per_sec: num('Claim/release cycles per second.', 1.658),
    ofports: list(int('An ofport.', 9), 'OpenFlow port numbers the port\'s interface got, in order (first `maxListItems`).', [9, 10, 11]),
    bridge: str('OVS bridge.', 'br-int'),
    iface: str('OVS interface name.', 'tap5ae51ed2-c0'),
    trigger: oneOf(['ofport-65535', 'nonexistent-port-65535', 'alloc-failed'], 'What showed the exhaustion: an interface on port 65535, a feature on nonexistent port 65535, or `failed to allocate OpenFlow port`.', 'alloc-failed'),
    lines: int('Log lines showing the exhaustion.', 3),
    readds: int('Times the interface was added again.', 20),
    first_ofport: int('First OpenFlow port number seen for the interface.', 9),
    last_ofport: int('Latest OpenFlow port number seen for the interface.', 28),
    growth_per_min: num('Growth of the port number, per minute.', 94.5),
    busy_errors: int('`Device or resource busy` failures while re-adding the interface.', 4),
    estimated_exhaustion: date('Event-time estimate of when automatic port numbers (1…32767) run out; absent when the number is not climbing, or climbs slower than OVS\'s one-hour reuse of deleted numbers absorbs (under 32767 an hour, no busy errors).', '2026-11-22T13:31:34.865Z'),
    down_logged: int('BFD session changes to down seen as log lines.', 2),
    hidden_estimate: int('BFD changes to down estimated hidden in `Dropped N log messages` lines (bfd\'s rate limiter is shared with other templates, so this is an estimate).', 0),
    down_total: int('`down_logged` + `hidden_estimate`.', 2),
    ifaces: list(str('An interface.', 'ovn-gw1-0'), 'Tunnel interfaces whose BFD went down (first `maxListItems`).', ['ovn-gw1-0', 'ovn-gw2-0']),
    iface_count: int('Number of those interfaces (the list may be cut).', 2),
    estimated: bool('True when the BFD counts include the estimate from rate-limited lines.', false)
  }, ['key'])
}, ['@timestamp', 'message', 'event', 'log', 'rule', 'observer', 'ecs', 'tags', 'labels', 'ovn']))

function deepFreeze<T> (value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}
