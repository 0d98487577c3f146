// SIGTERM with storms open: the real CLI in a child process resolves them (resolvedBy shutdown),
// writes those records, and exits 0.
import t from 'tap'
import { spawn } from 'node:child_process'
import * as net from 'node:net'
import { fileURLToPath } from 'node:url'
import { labRecords, waitUntil } from './helpers/serve-harness.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** `claimstorm serve ARGS` from the sources in a child process: its stdout, its JSON log lines, its exit code. */
function serveChild (t: { teardown: (fn: () => void) => void }, args: string[]): { stdout: () => string; logs: Array<Record<string, unknown>>; exited: Promise<number | null>; kill: (sig: NodeJS.Signals) => void } {
  const child = spawn(process.execPath, [
    '--import', 'tsx', '-e',
    "import('./src/cli.ts').then((m) => m.main(['node', 'claimstorm', ...process.argv.slice(1)])).then((c) => { process.exitCode = c })",
    'serve', ...args
  ], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  const logs: Array<Record<string, unknown>> = []
  let errBuf = ''
  child.stdout.on('data', (b: Buffer) => { stdout += b.toString() })
  child.stderr.on('data', (b: Buffer) => {
    errBuf += b.toString()
    const parts = errBuf.split('\n'); errBuf = parts.pop() ?? ''
    for (const p of parts) { try { logs.push(JSON.parse(p) as Record<string, unknown>) } catch { logs.push({ raw: p }) } }
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { resolve(code) }))
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  return { stdout: () => stdout, logs, exited, kill: (sig) => { child.kill(sig) } }
}

/** The port of serve's first input, once it listens. */
async function inputPort (logs: Array<Record<string, unknown>>): Promise<number> {
  await waitUntil(() => logs.some((l) => l['msg'] === 'input listening'), 30_000, 'serve to listen')
  return Number(String(logs.find((l) => l['msg'] === 'input listening')?.['address']).split(':').pop())
}

t.test('SIGTERM: open storms resolve with resolvedBy shutdown, exit 0', async (t) => {
  const serve = serveChild(t, ['--in', 'tcp://127.0.0.1:0', '--out', '-', '--tick-interval-ms', '100'])
  const { logs, exited } = serve
  const port = await inputPort(logs)
  // the first part of the bad-gateway storm: storms fire and are still open
  const recs = await labRecords('07-multi-gw-bad-node-storm')
  const firstClaim = recs.findIndex((r) => r.record.log.includes('Changing chassis for lport cr-lrp'))
  const part = recs.filter((r) => r.timeMs <= (recs[firstClaim]?.timeMs ?? 0) + 20_000)
  const sock = net.createConnection(port, '127.0.0.1')
  sock.write(part.map((r) => JSON.stringify(r.record)).join('\n') + '\n')
  await waitUntil(() => serve.stdout().includes('"firing"'), 10_000, 'a firing alert')
  const firing = serve.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: { action: string }; labels: { rule: string }; ovn: { lport?: string } })
    .filter((a) => a.event.action === 'firing')
  t.ok(firing.some((a) => a.labels.rule === 'claim-storm'), 'a storm is open')
  serve.kill('SIGTERM')
  const code = await exited
  sock.destroy()
  t.equal(code, 0, 'exit 0 after SIGTERM')
  const all = serve.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: { action: string }; labels: { rule: string }; ovn: { lport?: string; resolved_by?: string } })
  const key = (a: { labels: { rule: string }; ovn: { lport?: string } }): string => `${a.labels.rule}:${a.ovn.lport ?? ''}`
  const fired = all.filter((a) => a.event.action === 'firing').map(key)
  const quiet = new Set(all.filter((a) => a.event.action === 'resolved' && a.ovn.resolved_by === 'quiet').map(key))
  const atShutdown = all.filter((a) => a.event.action === 'resolved' && a.ovn.resolved_by === 'shutdown')
  t.ok(atShutdown.length > 0, 'resolved records written at shutdown')
  t.same(new Set(atShutdown.map(key)), new Set(fired.filter((k) => !quiet.has(k))), 'every condition still open got its resolved record, with resolvedBy shutdown')
  t.equal(all.filter((a) => a.event.action === 'resolved').length, fired.length, 'no duplicates')
  t.ok(logs.some((l) => l['msg'] === 'signal received' && l['signal'] === 'SIGTERM'))
  t.match(logs.find((l) => l['msg'] === 'stopped'), { reason: 'signal', undelivered: 0 })
})

t.test('SIGTERM with the Forward downstream down: exits 0 within the shutdown timeout, says how many alerts it could not deliver', async (t) => {
  // a port nothing listens on: connections are refused, so every alert stays queued
  const dead = net.createServer()
  await new Promise<void>((resolve) => { dead.listen(0, '127.0.0.1', resolve) })
  const deadPort = (dead.address() as net.AddressInfo).port
  await new Promise((resolve) => dead.close(resolve))
  const serve = serveChild(t, ['--in', 'tcp://127.0.0.1:0', '--out', `forward://127.0.0.1:${deadPort}`, '--tick-interval-ms', '100', '--shutdown-timeout-ms', '1500'])
  const port = await inputPort(serve.logs)
  const recs = await labRecords('07-multi-gw-bad-node-storm')
  const sock = net.createConnection(port, '127.0.0.1')
  sock.on('error', () => {})
  sock.end(recs.map((r) => JSON.stringify(r.record)).join('\n') + '\n')
  await new Promise((resolve) => sock.on('close', resolve))
  // the storm has been seen (its alerts wait for the peer) once every record went through
  await new Promise((resolve) => setTimeout(resolve, 500))
  const t0 = Date.now()
  serve.kill('SIGTERM')
  const code = await serve.exited
  const took = Date.now() - t0
  t.equal(code, 0, 'exit 0')
  t.ok(took < 1500 + 2000, `stopped within the shutdown timeout and a margin (${took} ms)`)
  const stopped = serve.logs.find((l) => l['msg'] === 'stopped')
  t.match(stopped, { reason: 'signal' })
  t.ok(Number(stopped?.['alerts']) > 0, 'alerts were made')
  t.equal(stopped?.['undelivered'], stopped?.['alerts'], 'none delivered: every one, shutdown resolutions included, counted as undelivered')
})

t.test('EPIPE on stdout (the reader went away) ends pipe with exit 0', async (t) => {
  const child = spawn(process.execPath, [
    '--import', 'tsx', '-e',
    "import('./src/cli.ts').then((m) => m.main(['node', 'claimstorm', ...process.argv.slice(1)])).then((c) => { process.exitCode = c })",
    'pipe'
  ], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString() })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { resolve(code) }))
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  child.stdout.destroy() // like `claimstorm pipe | head -0`
  const recs = await labRecords('07-multi-gw-bad-node-storm')
  child.stdin.on('error', () => {})
  child.stdin.write(recs.map((r) => JSON.stringify(r.record)).join('\n') + '\n')
  // keep stdin open: the run must end because of EPIPE, not because input ended
  const code = await exited
  t.equal(code, 0)
  t.match(stderr, /"msg":"stopped","reason":"epipe"/)
})
