# ovs-vswitchd message bodies (catalog section 4).

@lexer lexer

# module bridge: `bridge %s: added|deleted interface %s on port %d`.
bridge ->
    "bridge" _ colonName _ "added" _ "interface" _ name _ "on" _ "port" _ int
    {% (d) => ({ kind: 'iface-added', bridge: d[2], iface: d[8], ofport: d[14] }) %}
  | "bridge" _ colonName _ "deleted" _ "interface" _ name _ "on" _ "port" _ int
    {% (d) => ({ kind: 'iface-deleted', bridge: d[2], iface: d[8], ofport: d[14] }) %}

# module dpif: `%s: failed to add %s as port: %s`; `%s` is `type@name` of the datapath, which
# mailing-list archives rewrite to `type at name` (catalog 6): normalised back to `@`.
dpif ->
    datapath _ "failed" _ "to" _ "add" _ name _ "as" _ "port:" _ text
    {% (d) => ({ kind: 'port-add-failed', datapath: d[0], iface: d[8], error: new LazyText(d[14], 'string') }) %}
datapath -> colonName                       {% (d) => d[0] %}
          | %word _ "at" _ colonName        {% (d) => d[0].text + '@' + d[4] %}

# module ofproto.
ofproto ->
    # "allocated" is the real typo (OVS 2.11+); "allocate" is accepted should it ever be fixed.
    colonName _ "failed" _ "to" _ allocate _ "ofp" _ "port" _ "number" _ "for" _ name %dot
    {% (d) => ({ kind: 'ofport-alloc-failed', bridge: d[0], iface: d[16] }) %}
  | colonName _ "cannot" _ "configure" _ feature _ "on" _ "nonexistent" _ "port" _ uint
    {% (d) => ({ kind: 'ofproto-nonexistent-port', bridge: d[0], feature: d[6], ofport: d[14] }) %}
  | colonName _ "cannot" _ "set" _ "queues" _ "on" _ "nonexistent" _ "port" _ uint
    {% (d) => ({ kind: 'ofproto-nonexistent-port', bridge: d[0], feature: 'queues', ofport: d[14] }) %}
allocate -> "allocated" | "allocate"
feature -> ("bfd" | "LLDP" | "datapath" | "CFM" | "STP" | "RSTP")   {% (d) => d[0][0].text %}

# module bfd: the state change in both wordings (catalog 4.5).
bfd ->
    # OVS <= 3.3.0: `%s: BFD state change: %s->%s "%s"->"%s".`
    colonName _ "BFD" _ "state" _ "change:" _ bfdTransition _ %qstr "->" %qstr %dot:?
    {% (d) => ({ kind: 'bfd-state-change', iface: d[0], oldState: d[8][0], newState: d[8][1], oldDiag: unquote(d[10]), newDiag: unquote(d[12]), wording: 'classic' }) %}
    # OVS >= 3.4: `%s: BFD state change: (bfd.SessionState: %s, bfd.LocalDiag: "%s") -> (…)`
  | colonName _ "BFD" _ "state" _ "change:" _ bfdSession _ "->" _ bfdSession
    {% (d) => ({ kind: 'bfd-state-change', iface: d[0], oldState: d[8].state, newState: d[12].state, oldDiag: d[8].diag, newDiag: d[12].diag, wording: 'rfc' }) %}

bfdTransition -> %word
  {% (d, _l, r) => { const p = d[0].text.split('->'); return p.length === 2 && BFD_STATES.includes(p[0]) && BFD_STATES.includes(p[1]) ? p : r } %}
bfdSession -> "(bfd.SessionState:" _ bfdStateComma _ "bfd.LocalDiag:" _ %qstr ")"
  {% (d) => ({ state: d[2], diag: unquote(d[6]) }) %}
bfdStateComma -> %word
  {% (d, _l, r) => { const s = d[0].text.slice(0, -1); return d[0].text.endsWith(',') && BFD_STATES.includes(s) ? s : r } %}
