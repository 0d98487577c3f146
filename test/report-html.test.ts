// The HTML report rendered in a real headless Chromium: no console errors, no request other than
// the file itself, one lane per node for a stormed port, hostile log text stays text.
import t from 'tap'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { renderHtmlReport, scriptJson } from '../src/scan/report/html.js'
import { claimTimelineSvg, esc, timeTicks } from '../src/scan/report/svg.js'
import { CHROMIUM, CHROMIUM_ARGS, PORTS, T0, sampleReport, stormSignal } from './helpers/scan-report.js'
import { foldAlerts, verdictOf } from '../src/scan/alerts.js'
import { runScan } from '../src/scan/scan.js'
import { LAB } from './helpers/fixtures.js'

t.test('escaping helpers', async (t) => {
  t.equal(esc('<b a="1">&\'x\u2028'), '&#60;b a=&#34;1&#34;&#62;&#38;&#39;x&#8232;')
  const json = scriptJson({ s: '</script><!-- \u2028 & >' })
  t.notMatch(json, /<|>|\u2028/)
  t.same(JSON.parse(json), { s: '</script><!-- \u2028 & >' })
})

t.test('time ticks are round and inside the span', async (t) => {
  const ticks = timeTicks(T0 - 3200, T0 + 24_100)
  t.ok(ticks.length >= 3 && ticks.length <= 8)
  t.ok(ticks.every((x) => x % 5000 === 0 && x >= T0 - 3200 && x <= T0 + 24_100))
})

t.test('the timeline has one lane per claiming node, first suspect first', async (t) => {
  const r = sampleReport()
  const tl = r.timelines[0]
  if (tl === undefined) throw new Error('no timeline')
  const rows = r.alerts.filter((a) => a.last.kind === 'claim-storm' && a.last.lport === tl.lport)
  const out = claimTimelineSvg({ timeline: tl, rows, bfd: r.bfd, allNodes: r.nodes })
  t.same(out.lanes, ['gw3', 'gw1'])
  t.equal((out.svg.match(/class="claim claim-change"/g) ?? []).length, 84, 'a tick per claim')
  t.equal((out.svg.match(/class="bfd bfd-down"/g) ?? []).length, 2, 'BFD downs on gw3 marked')
  t.equal(out.hidden, 0)
})

function hostileReport (): ReturnType<typeof sampleReport> {
  const evil = 'cr-lrp-</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
  const signals = [stormSignal(evil, 'gw1', 'firing', { suspects: [{ node: 'gw3"><b>', score: 1, reasons: ['<i>x</i>\u2028'] }] })]
  const alerts = foldAlerts(signals)
  return sampleReport({
    signals,
    alerts,
    verdict: verdictOf(alerts),
    timelines: [{ lport: evil, points: [{ tMs: T0, node: 'gw3"><b>', act: 'change', from: '<x>' }, { tMs: T0 + 500, node: 'gw1', act: 'change', from: 'gw3' }], dropped: 0 }],
    files: [{ path: '/logs/<img src=x onerror=alert(1)>.log', node: 'n<1>', nodeFrom: 'file-name', recordNodes: [], bytes: 1, lines: 1, events: 1, unparsed: 0, firstMs: T0, lastMs: T0, status: 'ok' }],
    issues: [{ code: 'not-a-log', path: '<p>', explicit: true, message: '<p> is not an OVS/OVN log' }]
  })
}

t.test('in headless Chromium', async (t) => {
  statSync(CHROMIUM) // fails with a clear ENOENT when the browser is missing: run scripts/ensure-chromium.sh
  const dir = mkdtempSync(join(tmpdir(), 'claimstorm-report-'))
  let browser: Browser | undefined
  t.teardown(async () => {
    await browser?.close()
    rmSync(dir, { recursive: true, force: true })
  })
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })

  async function load (html: string, name: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
    const file = join(dir, name)
    writeFileSync(file, html)
    const url = pathToFileURL(file).href
    const page = await (browser as Browser).newPage({ viewport: { width: 1200, height: 900 } })
    const errors: string[] = []
    const requests: string[] = []
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text()) })
    page.on('pageerror', (e) => errors.push(e.message))
    await page.route('**/*', async (route) => {
      const u = route.request().url()
      if (u === url) return await route.continue()
      requests.push(u)
      return await route.abort()
    })
    await page.goto(url, { waitUntil: 'load' })
    return { page, errors, requests }
  }

  await t.test('the scenario-7-like report', async (t) => {
    const { page, errors, requests } = await load(renderHtmlReport(sampleReport()), 'report.html')
    t.same(errors, [], 'no console errors')
    t.same(requests, [], 'no request but the file itself')
    t.match(await page.textContent('#verdict'), /^CRITICAL: 5 gateway ports storming; drain gw3 first/)
    t.equal(await page.locator('#alerts tbody tr').count(), 5)
    t.equal(await page.locator('.card.port').count(), 5, 'a timeline per stormed port')
    const first = page.locator(`.card.port[data-lport="${PORTS[0]?.[0] ?? ''}"]`)
    t.equal(await first.locator('g.lane').count(), 2, 'one lane per node of that port')
    t.same(await first.locator('g.lane').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-node'))), ['gw3', 'gw1'])
    t.ok(await first.locator('svg').isVisible())
    const box = await first.locator('svg').boundingBox()
    t.ok(box !== null && box.width > 600 && box.height > 60, 'the plot has a real size')
    t.equal(await page.locator('#ofports circle').count(), 3)
    const data = JSON.parse(await page.locator('#claimstorm-data').textContent() ?? 'null') as { signals: unknown[] }
    t.equal(data.signals.length, 10, 'the evidence is embedded as JSON')
    const shot = join(dir, 'report.png')
    await page.screenshot({ path: shot, fullPage: true })
    t.ok(statSync(shot).size > 10_000, 'a screenshot was written')
    // hovering a claim shows its tooltip (the inline script runs)
    await first.locator('rect.claim').first().hover()
    t.match(await page.textContent('#tip'), /07:45:53\.000Z gw3 took it from gw1/)
    await page.close()
  })

  await t.test('the report of a real lab scan (scenario 7): a lane per claimant of each stormed port', async (t) => {
    const report = await runScan({ paths: [join(LAB, 'sample', '07-multi-gw-bad-node-storm')], compareBaseline: true })
    const { page, errors, requests } = await load(renderHtmlReport(report), 'lab.html')
    t.same(errors, [])
    t.same(requests, [])
    const storms = report.alerts.flatMap((a) => (a.last.kind === 'claim-storm' ? [a.last] : []))
    t.equal(storms.length, 5)
    for (const s of storms) {
      const card = page.locator(`.card.port[data-lport="${s.lport}"]`)
      const lanes = await card.locator('g.lane').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-node')))
      t.same([...lanes].sort(), s.participants.map((p) => p.node).sort(), `lanes of ${s.lport}`)
      t.equal(lanes[0], s.suspects[0]?.node, 'the first suspect on top')
      const ticks = await card.locator('rect.claim').count()
      t.ok(ticks >= s.claimActs - 2, `a tick per claim (${ticks} for ${s.claimActs} claim acts)`)
      t.ok(await card.locator('polygon.bfd-down').count() > 0, 'BFD downs marked')
    }
    t.match(await page.textContent('#baseline'), /Loki rule/)
    await page.screenshot({ path: join(dir, 'lab.png'), fullPage: true })
    t.ok(statSync(join(dir, 'lab.png')).size > 10_000)
    await page.close()
  })

  await t.test('hostile log text stays text', async (t) => {
    const { page, errors, requests } = await load(renderHtmlReport(hostileReport()), 'hostile.html')
    t.same(errors, [])
    t.same(requests, [], 'the <img src=x> in a port name fetched nothing')
    t.equal(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned), undefined, 'no injected script ran')
    t.equal(await page.locator('img').count(), 0)
    t.match(await page.textContent('.card.port h3'), /^cr-lrp-<\/script><script>/)
    t.equal(await page.locator('#files td').first().textContent(), 'n<1>')
    const data = JSON.parse(await page.locator('#claimstorm-data').textContent() ?? 'null') as { signals: Array<{ lport: string }> }
    t.match(data.signals[0]?.lport, /^cr-lrp-<\/script>/)
    await page.close()
  })

  await t.test('a report with nothing found', async (t) => {
    const r = sampleReport({ signals: [], alerts: [], timelines: [], bfd: [], ofports: [], verdict: verdictOf([]) })
    const { page, errors } = await load(renderHtmlReport(r), 'empty.html')
    t.same(errors, [])
    t.match(await page.textContent('#verdict'), /^OK: /)
    t.equal(await page.locator('.card.port').count(), 0)
    await page.close()
  })
})

t.test('ports listed in alerts link to their timeline', async (t) => {
  const html = renderHtmlReport(sampleReport())
  const port = PORTS[0]?.[0] ?? ''
  const m = new RegExp(`<a href="#(port-\\d-[^"]+)">${port}</a>`).exec(html)
  t.ok(m !== null)
  t.match(html, new RegExp(`id="${m?.[1] ?? 'x'}"`))
})
