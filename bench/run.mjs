// npm run bench: runs every bench/*.bench.ts in its own process (so peak RSS is per bench) and
// passes through the one-JSON-line-per-figure output each bench prints at the end.
import { readdirSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const here = dirname(fileURLToPath(import.meta.url))
const only = process.argv.slice(2)
const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
let failed = 0
for (const f of files) {
  process.stderr.write(`== ${f}\n`)
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, f)], { stdio: 'inherit' })
  if (r.status !== 0) { failed++; process.stderr.write(`bench ${f} exited ${r.status}\n`) }
}
process.exitCode = failed === 0 ? 0 : 1
