// Every detector in a process has the same object shapes (V8 hidden classes), so the code one detector warmed up
// serves the next: the detector core is classes whose fields are set in one order, and the resolved options of
// every detector share one shape. When two detectors' objects got different shapes (closures per instance, or
// an options copy that got a new shape each time), each new detector deoptimized and recompiled the hot path
// (src/detect/detector.ts). V8 answers "same shape?" only to --allow-natives-syntax, so a child process asks it.
import { execFileSync } from 'node:child_process'
import t from 'tap'

const script = `
  const { createDetector } = await import('./src/detect/detector.ts')
  const { resolveDetectorOptions } = await import('./src/detect/options.ts')
  const { parseVlog } = await import('./src/parse/vlog.ts')
  const same = new Function('a', 'b', 'return %HaveSameMap(a, b)')
  // a storm of two gateways over two ports, with a release and BFD lines: every rule gets state
  const lines = []
  for (let i = 0; i < 400; i++) {
    const ts = new Date(Date.UTC(2026, 0, 1) + i * 300).toISOString()
    const port = 'cr-lrp-0000000' + (i % 2) + '-0000-4000-8000-000000000000'
    const [from, to] = i % 4 < 2 ? ['gw1', 'gw2'] : ['gw2', 'gw1']
    lines.push([to, ts + '|' + (1000 + i) + '|binding|INFO|Changing chassis for lport ' + port + ' from ' + from + ' to ' + to + '.'])
    if (i % 50 === 0) lines.push([from, ts + '|' + (5000 + i) + '|binding|INFO|Releasing lport ' + port + ' from this chassis (sb_readonly=0)'])
    if (i % 25 === 0) lines.push([to, ts + '|' + (9000 + i) + '|bfd(monitor1)|INFO|ovn-' + from + '-0: BFD state change: up->down "No Diagnostic"->"Control Detection Time Expired".'])
  }
  const run = (options) => {
    const d = createDetector(options)
    for (const [node, l] of lines) d.push(parseVlog(l, { wrapper: 'bare', node }))
    return d
  }
  const a = run({})
  const b = run({})
  const c = run({ quietMs: 45000, stormWindowMs: 20000 })
  const parts = (d) => ({ detector: d, claims: d.claims, lifecycle: d.lc, context: d.ctx, nodes: d.ctx.nodes, bfd: d.bfd, ofport: d.ofport, options: d.options })
  const pa = parts(a)
  const pb = parts(b)
  const pc = parts(c)
  const out = {}
  for (const k of Object.keys(pa)) out[k] = [same(pa[k], pb[k]), same(pa[k], pc[k])]
  out.resolvedTwice = same(resolveDetectorOptions({}), resolveDetectorOptions({}))
  out.resolvedOther = same(resolveDetectorOptions({}), resolveDetectorOptions({ stormWindowMs: 20000, maxTrackedPorts: 5000 }))
  console.log(JSON.stringify(out))`

t.test('every detector, each of its parts and its resolved options have the same shape as another detector\'s', async (t) => {
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' })
  const r = JSON.parse(out) as Record<string, unknown>
  for (const part of ['detector', 'claims', 'lifecycle', 'context', 'nodes', 'bfd', 'ofport', 'options']) {
    t.strictSame(r[part], [true, true], `${part}: same shape for the same options and for other values of the default keys`)
  }
  t.equal(r['resolvedTwice'], true, 'resolveDetectorOptions({}) twice: one shape')
  t.equal(r['resolvedOther'], true, 'options that set some keys: the same shape as the defaults')
})
