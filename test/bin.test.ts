// The published entry point (bin/claimstorm.js → dist/, built by `npm ci` through `prepare`), run as a
// user runs it: a reader that goes away early (`claimstorm … | head -1`) ends the output, not in a crash.
import t from 'tap'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../bin/claimstorm.js', import.meta.url))
const SAMPLE = fileURLToPath(new URL('../examples/sample/', import.meta.url))

/**
 * Runs the CLI and closes its stdout after the first chunk, as `| head -1` does, or (`atOnce`) before it
 * wrote anything, so that its first write already meets a closed pipe.
 */
function runAndCloseEarly (args: string[], atOnce = false): Promise<{ code: number | null; first: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let first = ''
    let stderr = ''
    if (atOnce) child.stdout.destroy()
    else child.stdout.once('data', (b: Buffer) => { first = b.toString(); child.stdout.destroy() })
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString() })
    child.on('close', (code) => { resolve({ code, first, stderr }) })
  })
}

for (const args of [['--help'], ['scan', '--help'], ['serve', '--help'], ['--version']]) {
  t.test(`claimstorm ${args.join(' ')} | head: no EPIPE crash`, async (t) => {
    const r = await runAndCloseEarly(args, true)
    t.notMatch(r.stderr, /EPIPE|Unhandled|at /, 'no stack trace')
    t.equal(r.code, 0)
  })
}

t.test('claimstorm scan --json | head: ends quietly with 0', async (t) => {
  const r = await runAndCloseEarly(['scan', '--json', SAMPLE])
  t.match(r.first, /^\{"@timestamp"/)
  t.notMatch(r.stderr, /EPIPE|Unhandled/)
  t.equal(r.code, 0)
})

t.test('the built CLI exits with the scan status', async (t) => {
  const r = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [BIN, 'scan', SAMPLE], { stdio: 'ignore' })
    child.on('close', resolve)
  })
  t.equal(r, 2, 'critical storm in the sample')
})
