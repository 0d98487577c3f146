// Regenerates docs/report.png: scan examples/sample → HTML report → headless Chromium screenshot.
// Usage: node --import tsx scripts/screenshot-report.ts [OUT.png] [--html OUT.html]
// Needs /usr/bin/chromium (sh scripts/ensure-chromium.sh) or CLAIMSTORM_CHROMIUM.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'
import { runScan } from '../src/scan/scan.js'
import { renderHtmlReport } from '../src/scan/report/html.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const args = process.argv.slice(2)
const htmlAt = args.indexOf('--html')
const htmlOut = htmlAt >= 0 ? args[htmlAt + 1] : undefined
const out = args.find((a, i) => !a.startsWith('--') && (htmlAt < 0 || i !== htmlAt + 1)) ?? join(root, 'docs', 'report.png')

const report = await runScan({ paths: [join(root, 'examples', 'sample')], compareBaseline: true })
// the sample's paths relative to the repository, so the picture does not show this machine's layout
for (const f of report.files) f.path = f.path.replace(root, '')
const html = renderHtmlReport(report)
const dir = mkdtempSync(join(tmpdir(), 'claimstorm-shot-'))
const file = join(dir, 'report.html')
writeFileSync(file, html)
if (htmlOut !== undefined) writeFileSync(htmlOut, html)
const browser = await chromium.launch({
  executablePath: process.env['CLAIMSTORM_CHROMIUM'] ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
})
try {
  const page = await browser.newPage({ viewport: { width: 1180, height: 900 }, deviceScaleFactor: 1 })
  const url = pathToFileURL(file).href
  await page.route('**/*', async (route) => (route.request().url() === url ? await route.continue() : await route.abort()))
  await page.goto(url, { waitUntil: 'load' })
  await page.screenshot({ path: out, fullPage: true })
  process.stdout.write(`${out}: ${report.verdict.text}\n`)
} finally {
  await browser.close()
  rmSync(dir, { recursive: true, force: true })
}
