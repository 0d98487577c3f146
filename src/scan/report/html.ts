// The self-contained HTML report: inline CSS, inline SVG drawn from the ScanReport, a few lines of
// inline JS for tooltips, and a CSP that forbids every fetch. Log text is untrusted: everything
// from the input is escaped, and the embedded JSON cannot close its <script>.
import type { AlertRow, ScanReport } from '../model.js'
import { bytes, clock, count, dateTime, duration, rate, sameDay } from '../format.js'
import { claimTimelineSvg, esc, nodeColor, ofportSvg } from './svg.js'

const CSS = `
:root{--fg:#1d2330;--muted:#5d6678;--line:#d8dde6;--bg:#f6f7f9;--card:#fff;--crit:#c62828;--warn:#b26a00;--ok:#2e7d32;--info:#1565c0}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 "DejaVu Sans",system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:1120px;margin:0 auto;padding:20px 24px 40px}
h1{font-size:21px;margin:0 0 2px}
h2{font-size:16px;margin:26px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:14px;margin:0 0 4px;font-family:"DejaVu Sans Mono",ui-monospace,monospace;word-break:break-all}
.sub{color:var(--muted);font-size:13px}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:12px 14px;margin:10px 0}
.verdict{font-size:16px;font-weight:600;padding:12px 16px;border-radius:6px;margin:14px 0 4px;color:#fff}
.verdict.critical{background:var(--crit)}.verdict.warning{background:var(--warn)}.verdict.ok{background:var(--ok)}
table{border-collapse:collapse;width:100%;background:var(--card);font-size:13px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#eef1f5;font-weight:600;white-space:nowrap}
td.mono,.mono{font-family:"DejaVu Sans Mono",ui-monospace,monospace;font-size:12px;word-break:break-all}
td.num{text-align:right;white-space:nowrap}
.sev{display:inline-block;padding:1px 7px;border-radius:10px;color:#fff;font-size:11px;font-weight:600;text-transform:uppercase}
.sev.critical{background:var(--crit)}.sev.warning{background:var(--warn)}.sev.info{background:var(--info)}
.compare{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.compare .card{margin:0}
.compare h4{margin:0 0 6px;font-size:13px}
ul.reasons{margin:4px 0 8px 18px;padding:0;color:var(--muted);font-size:12.5px}
svg{display:block;max-width:100%;height:auto;font-family:"DejaVu Sans",system-ui,sans-serif}
svg .axis{stroke:#8a93a3}svg .grid{stroke:#e6e9ef}svg .tick{font-size:10.5px;fill:var(--muted)}
svg .lane-line{stroke:#eef0f4;stroke-width:1}
svg .lane-label{font-size:12.5px;font-weight:600}
svg .claim-release{opacity:.8}svg .claim:hover{stroke:#1d2330;stroke-width:1}
svg .span-critical{fill:rgba(198,40,40,.07)}svg .span-warning{fill:rgba(178,106,0,.08)}svg .span-info{fill:rgba(21,101,192,.06)}
svg .bfd-down{fill:#c62828}svg .bfd-up{fill:#2e7d32}
svg .series{fill:none;stroke-width:1.2;opacity:.55}svg .limit{stroke:#c62828;stroke-dasharray:4 3}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;color:var(--muted);margin-top:6px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
#tip{position:fixed;pointer-events:none;background:#1d2330;color:#fff;font-size:12px;padding:4px 7px;border-radius:4px;display:none;max-width:520px;z-index:9}
.issues li{color:var(--crit)}
footer{margin-top:30px;color:var(--muted);font-size:12px}
`

// Hover tooltips from each mark's <title>; no network, no eval.
const JS = `
(function(){var tip=document.getElementById('tip');if(!tip)return;
document.addEventListener('mouseover',function(e){var t=e.target;if(!(t instanceof Element))return;var ti=t.querySelector(':scope>title');if(!ti){tip.style.display='none';return}tip.textContent=ti.textContent;tip.style.display='block'});
document.addEventListener('mousemove',function(e){tip.style.left=(e.clientX+12)+'px';tip.style.top=(e.clientY+12)+'px'});})();
`

/** JSON safe inside <script>: no `</script>`, no `<!--`, no line separators that old parsers choke on. */
export function scriptJson (value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

function sevBadge (sev: string): string {
  return `<span class="sev ${esc(sev)}">${esc(sev)}</span>`
}

function anchorFor (lport: string, index: number): string {
  return `port-${index}-${lport.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60)}`
}

function suspectsHtml (r: AlertRow): string {
  if (r.kind !== 'claim-storm') return '–'
  if (r.suspects.length === 0) return r.undetermined ? 'undetermined' : '–'
  const names = r.suspects.map((s, i) => (i === 0 && !r.undetermined ? `<b>${esc(s.node)}</b>` : esc(s.node))).join(' &gt; ')
  return r.undetermined ? `undetermined (${names})` : names
}

export interface HtmlReportOptions {
  /** Page title prefix. @default "claimstorm scan" */
  title?: string
}

/** Renders the whole report as one HTML document. */
export function renderHtmlReport (report: ScanReport, options: HtmlReportOptions = {}): string {
  const title = options.title ?? 'claimstorm scan'
  const nodes = report.nodes
  const t = report.totals
  const oneDay = report.firstMs !== null && report.lastMs !== null && sameDay(report.firstMs, report.lastMs)
  const when = (ms: number): string => (oneDay ? `${clock(ms)}Z` : dateTime(ms))
  const span = report.firstMs !== null && report.lastMs !== null
    ? `${dateTime(report.firstMs)} – ${oneDay ? `${clock(report.lastMs)}Z` : dateTime(report.lastMs)} (${duration(report.lastMs - report.firstMs)})`
    : 'no timestamps'
  const h: string[] = []
  h.push('<!doctype html><html lang="en"><head><meta charset="utf-8">')
  h.push('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; script-src \'unsafe-inline\'; img-src data:">')
  h.push('<meta name="viewport" content="width=device-width,initial-scale=1">')
  h.push(`<title>${esc(`${title} — ${report.verdict.text}`)}</title><style>${CSS}</style></head><body><div id="tip"></div><main>`)
  h.push(`<h1>${esc(title)} report</h1>`)
  h.push(`<div class="sub">${count(t.files)} file${t.files === 1 ? '' : 's'} (${esc(bytes(t.bytes))}) from ${count(nodes.length)} node${nodes.length === 1 ? '' : 's'} · ${count(t.lines)} lines, ${count(t.events)} events, ${count(t.unparsed)} unparsed · ${esc(span)}</div>`)
  h.push(`<div class="verdict ${esc(report.verdict.level)}" id="verdict">${esc(report.verdict.text)}</div>`)

  const b = report.baseline
  if (b !== undefined) {
    const fired = b.firings.length === 0
      ? '<p>Would have stayed <b>silent</b> on every node.</p>'
      : `<ul>${b.firings.map((f) => `<li>fired on <b>${esc(f.node)}</b> ${esc(clock(f.startMs))}–${esc(clock(f.endMs))}Z, peak ${esc(rate(f.peakPerSec))} lines/s</li>`).join('')}</ul>` +
        (b.silentNodes.length > 0 ? `<p class="sub">silent on ${b.silentNodes.map(esc).join(', ')}</p>` : '')
    const diffs = b.differences.length === 0 ? '' : `<ul class="reasons">${b.differences.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>`
    h.push('<h2>Compared with today\'s rule</h2><div class="compare" id="baseline">')
    h.push(`<div class="card"><h4>claimstorm</h4><p>${esc(report.verdict.text)}</p>${diffs}</div>`)
    h.push(`<div class="card"><h4>Loki rule <span class="mono">${esc(b.rule)}</span></h4>${fired}</div></div>`)
  }

  h.push(`<h2>Alerts (${report.alerts.length})</h2>`)
  const stormPorts: string[] = []
  for (const r of report.alerts) {
    const lport = r.last.kind === 'claim-storm' || r.last.kind === 'port-flap' ? r.last.lport : null
    if (lport !== null && !stormPorts.includes(lport) && report.timelines.some((tl) => tl.lport === lport)) stormPorts.push(lport)
  }
  if (report.alerts.length === 0) {
    h.push('<p class="card">No claim storm, claim load, port flap, OpenFlow port exhaustion or leak, or mass BFD down in this input.</p>')
  } else {
    h.push('<table id="alerts"><thead><tr><th>Severity</th><th>Kind</th><th>Subject</th><th>Nodes</th><th>Suspects</th><th>Start</th><th>Duration</th><th>Peak</th></tr></thead><tbody>')
    for (const r of report.alerts) {
      const lport = r.last.kind === 'claim-storm' || r.last.kind === 'port-flap' ? r.last.lport : null
      const idx = lport === null ? -1 : stormPorts.indexOf(lport)
      const subject = idx >= 0 && lport !== null ? `<a href="#${anchorFor(lport, idx)}">${esc(r.subject)}</a>` : esc(r.subject)
      const tip = r.suspects.map((s) => `${s.node}: ${s.reasons.join('; ')}`).join('\n')
      h.push(`<tr><td>${sevBadge(r.severity)}</td><td>${esc(r.kind)}</td><td class="mono">${subject}</td><td>${r.nodes.map((n) => `<span style="color:${nodeColor(nodes, n)}">${esc(n)}</span>`).join(', ')}</td>` +
        `<td title="${esc(tip)}">${suspectsHtml(r)}</td><td class="num">${esc(when(r.startMs))}</td><td class="num">${esc(duration(r.endMs - r.startMs))}${r.resolved ? '' : '+'}</td>` +
        `<td class="num">${r.peakRate === null ? '–' : esc(`${rate(r.peakRate)} ${r.rateUnit}`)}</td></tr>`)
    }
    h.push('</tbody></table>')
  }

  if (stormPorts.length > 0) {
    h.push('<h2>Claim timelines</h2>')
    h.push('<div class="legend"><span><i style="background:#555"></i>tick: a claim by that node (coloured by node); grey: a release</span><span><i style="background:#c62828"></i>▼ BFD session went down on that node</span><span><i style="background:#2e7d32"></i>▲ BFD came back up</span><span>★ first suspect</span><span>shaded: alert span</span></div>')
    stormPorts.forEach((lport, i) => {
      const tl = report.timelines.find((x) => x.lport === lport)
      if (tl === undefined) return
      const rows = report.alerts.filter((r) => (r.last.kind === 'claim-storm' || r.last.kind === 'port-flap') && r.last.lport === lport)
      const { svg, lanes, hidden } = claimTimelineSvg({ timeline: tl, rows, bfd: report.bfd, allNodes: nodes })
      const storm = rows.find((r) => r.last.kind === 'claim-storm')?.last
      const facts: string[] = []
      if (storm?.kind === 'claim-storm') {
        facts.push(`${storm.portClass} port`, `${count(storm.claimActs)} claims`, `${count(storm.handoffs)} hand-offs`,
          `peak ${rate(storm.peakClaimsPerSec)} claims/s`, `throttle ${storm.throttle.regime}${storm.throttle.inferred ? ' (inferred)' : ''}`)
      }
      for (const r of rows) if (r.last.kind === 'port-flap') facts.push(`flapping on ${r.last.node}: ${r.last.claims} claims, ${r.last.releases} releases`)
      h.push(`<div class="card port" id="${anchorFor(lport, i)}" data-lport="${esc(lport)}" data-lanes="${lanes.length}"><h3>${esc(lport)}</h3>`)
      h.push(`<div class="sub">${esc(facts.join(' · '))}${tl.dropped + hidden > 0 ? esc(` · ${count(tl.dropped + hidden)} claim${tl.dropped + hidden === 1 ? '' : 's'} outside the plot`) : ''}</div>`)
      const top = rows.flatMap((r) => r.suspects.slice(0, 2))
      if (top.length > 0) {
        h.push(`<ul class="reasons">${top.slice(0, 2).map((s) => `<li><b>${esc(s.node)}</b>: ${esc(s.reasons.join('; '))}</li>`).join('')}</ul>`)
      }
      h.push(svg, '</div>')
    })
  }

  if (report.ofports.length > 0) {
    const byNode = [...new Set(report.ofports.map((p) => p.node))]
    h.push('<h2>OpenFlow port numbers over time</h2><div class="card" id="ofports">')
    h.push(ofportSvg({ points: report.ofports, allNodes: nodes }))
    h.push(`<div class="legend">${byNode.map((n) => `<span><i style="background:${nodeColor(nodes, n)}"></i>${esc(n)}</span>`).join('')}<span>one dot per <span class="mono">added interface … on port N</span>; a line joins the numbers of one interface</span></div></div>`)
  }

  if (report.bfd.length > 0) {
    const rows = new Map<string, { down: number; up: number; ifaces: Set<string> }>()
    for (const p of report.bfd) {
      const r = rows.get(p.node) ?? { down: 0, up: 0, ifaces: new Set<string>() }
      if (p.to === 'up') r.up++
      else if (p.to === 'down' || p.to === 'admin_down') r.down++
      r.ifaces.add(p.iface)
      rows.set(p.node, r)
    }
    h.push('<h2>BFD state changes</h2><table id="bfd"><thead><tr><th>Node</th><th>Went down</th><th>Came up</th><th>Sessions</th></tr></thead><tbody>')
    for (const [node, r] of [...rows].sort((a, b2) => b2[1].down - a[1].down)) {
      h.push(`<tr><td>${esc(node)}</td><td class="num">${r.down}</td><td class="num">${r.up}</td><td class="mono">${[...r.ifaces].slice(0, 12).map(esc).join(', ')}${r.ifaces.size > 12 ? ' …' : ''}</td></tr>`)
    }
    h.push('</tbody></table>')
  }

  h.push('<h2>Files and the node each was given</h2><table id="files"><thead><tr><th>Node</th><th>How</th><th>File</th><th>Lines</th><th>Events</th><th>Unparsed</th><th>Status</th></tr></thead><tbody>')
  for (const f of report.files) {
    const how = f.recordNodes.length > 0 ? `${f.nodeFrom}; records name ${f.recordNodes.join(', ')}` : f.nodeFrom
    h.push(`<tr><td>${esc(f.node)}</td><td>${esc(how)}</td><td class="mono">${esc(f.path)}</td><td class="num">${count(f.lines)}</td><td class="num">${count(f.events)}</td><td class="num">${count(f.unparsed)}</td><td>${esc(f.status)}</td></tr>`)
  }
  h.push('</tbody></table>')
  if (report.issues.length > 0) {
    h.push(`<h2>Input problems</h2><ul class="issues">${report.issues.map((i) => `<li>${esc(i.message)}</li>`).join('')}</ul>`)
  }
  const data = { version: report.version, verdict: report.verdict, signals: report.signals, files: report.files, baseline: report.baseline ?? null }
  h.push(`<footer>claimstorm ${esc(report.version)} · all times UTC · the alert evidence is embedded below as JSON (<span class="mono">#claimstorm-data</span>)</footer></main>`)
  h.push(`<script type="application/json" id="claimstorm-data">${scriptJson(data)}</script>`)
  h.push(`<script>${JS}</script></body></html>\n`)
  return h.join('\n')
}
