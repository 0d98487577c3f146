#!/usr/bin/env node
// The published entry point: runs the compiled CLI (npm run build, done by `npm ci` through `prepare`).
import { main } from '../dist/cli.js'

main(process.argv).then(
  (code) => { process.exitCode = code },
  (err) => {
    process.stderr.write(`claimstorm: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 3
  }
)
