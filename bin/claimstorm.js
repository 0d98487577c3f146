#!/usr/bin/env node
// The published entry point: runs the compiled CLI (npm run build, done by `npm ci` through `prepare`).
import { main } from '../dist/cli.js'

// `claimstorm … | head`: a reader that goes away is the end of the output, not a crash. The commands
// that stream (scan --json, serve's stdout output) handle it themselves; this covers --help, --version
// and anything else written while no other handler listens.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err
  if (process.stdout.listenerCount('error') === 1) process.exit(process.exitCode ?? 0)
})

main(process.argv).then(
  (code) => { process.exitCode = code },
  (err) => {
    process.stderr.write(`claimstorm: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 3
  }
)
