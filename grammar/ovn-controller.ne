# ovn-controller message bodies (catalog section 2). Module `binding` unless noted.

@lexer lexer

binding ->
    "Claiming" _ "lport" _ name _ "for" _ "this" _ "chassis" %dot
    {% (d) => ({ kind: 'lport-claim', lport: d[4], additional: false }) %}
  | "Claiming" _ "lport" _ name _ "for" _ "this" _ "additional" _ "chassis" %dot
    {% (d) => ({ kind: 'lport-claim', lport: d[4], additional: true }) %}
  # OVS 2.5 had no final period.
  | "Changing" _ "chassis" _ "for" _ "lport" _ name _ "from" _ name _ "to" _ name %dot:?
    {% (d) => ({ kind: 'lport-chassis-change', lport: d[8], from: d[12], to: d[16] }) %}
  # `%s: Claiming %s`: one SB Port_Binding.mac element (catalog 2.2).
  | colonName _ "Claiming" addressBlob
    {% (d) => ({ kind: 'lport-claim-addresses', lport: d[0], addresses: d[3] }) %}
  | "Releasing" _ "lport" _ name _ "from" _ "this" _ "chassis" %dot
    {% (d) => ({ kind: 'lport-release', lport: d[4], additional: false, form: 'this-chassis' }) %}
  | "Releasing" _ "lport" _ name _ "from" _ "this" _ "chassis" _ sbReadonly
    {% (d) => ({ kind: 'lport-release', lport: d[4], additional: false, sbReadonly: d[12], form: 'sb-readonly' }) %}
  | "Releasing" _ "lport" _ name _ "from" _ "this" _ "additional" _ "chassis" %dot
    {% (d) => ({ kind: 'lport-release', lport: d[4], additional: true, form: 'additional' }) %}
  | "Releasing" _ "lport" _ tailName
    {% (d) => ({ kind: 'lport-release', lport: d[4], additional: false, form: 'bare' }) %}
  | "Postponed" _ "claim" _ "on" _ "logical" _ "port" _ name %dot
    {% (d) => ({ kind: 'lport-claim-postponed', lport: d[10] }) %}
  | notClaiming {% (d) => d[0] %}
  | "Setting" _ "lport" _ name _ upDown _ "in" _ "Southbound"
    {% (d) => ({ kind: 'lport-sb-state', lport: d[4], state: d[6] }) %}
  | "Setting" _ "lport" _ name _ "ovn-installed" _ "in" _ "OVS"
    {% (d) => ({ kind: 'lport-ovn-installed', target: 'lport', name: d[4], action: 'set' }) %}
  | "Removing" _ lportOrIface _ name _ "ovn-installed" _ "in" _ "OVS"
    {% (d) => ({ kind: 'lport-ovn-installed', target: d[2], name: d[4], action: 'removed' }) %}

addressBlob -> null         {% () => [] %}
             | _ text       {% (d) => new LazyText(d[1], 'addresses') %}

sbReadonly -> %word         {% (d, _l, r) => { const m = /^\(sb_readonly=(\d+)\)$/.exec(d[0].text); return m === null ? r : m[1] !== '0' } %}
upDown -> "up" {% () => 'up' %} | "down" {% () => 'down' %}
lportOrIface -> "lport" {% () => 'lport' %} | "iface" {% () => 'iface' %}

# `Not claiming lport %s, chassis %s requested-chassis %s[ pb->chassis %s]`. The requested
# chassis may be several words (`(option points at non-existent chassis)`) or empty; the
# newer form adds `pb->chassis %s` (empty when unbound). A requested-chassis text never holds
# the word `pb->chassis`, which keeps the two forms apart.
notClaiming ->
    notClaimingHead requested
    {% (d) => ({ kind: 'lport-not-claiming', lport: d[0].lport, chassis: d[0].chassis, requestedChassis: d[1] }) %}
  | notClaimingHead requested _ "pb->chassis" pbChassis
    {% (d) => ({ kind: 'lport-not-claiming', lport: d[0].lport, chassis: d[0].chassis, requestedChassis: d[1], pbChassis: d[4] }) %}
notClaimingHead -> "Not" _ "claiming" _ "lport" _ commaName _ "chassis" _ name _ "requested-chassis" _
    {% (d) => ({ lport: d[6], chassis: d[10] }) %}
requested -> text           {% (d, _l, r) => d[0].pb ? r : new LazyText(d[0], 'string') %}
pbChassis -> null           {% () => '' %}
           | _ text         {% (d) => new LazyText(d[1], 'string') %}

# module if_status: INFO `if_status_handle_claims for %s` (22.09–23.09.0), DBG `…, is_vif = %d` after.
ifStatus ->
    "if_status_handle_claims" _ "for" _ tailName
    {% (d) => ({ kind: 'if-status-claim', lport: d[4] }) %}
  | "if_status_handle_claims" _ "for" _ commaName _ "is_vif" _ "=" _ uint
    {% (d) => ({ kind: 'if-status-claim', lport: d[4], isVif: d[10] !== 0 }) %}

# module pinctrl: virtual ports.
pinctrl ->
    "Claiming" _ "virtual" _ "lport" _ name _ "for" _ "this" _ "chassis" _ "with" _ "the" _ "virtual" _ "parent" _ tailName
    {% (d) => ({ kind: 'lport-claim', lport: d[6], additional: false, virtualParent: d[22] }) %}
  | "Postponing" _ "virtual" _ "lport" _ name _ "claim" _ "by" _ uint _ "ms"
    {% (d) => ({ kind: 'lport-claim-postponed', lport: d[6], delayMs: d[12] }) %}
