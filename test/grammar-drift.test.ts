// The committed src/parse/grammar.generated.ts must be exactly what grammar/*.ne compiles to.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

t.test('grammar.generated.ts matches grammar/*.ne', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'claimstorm-drift-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const out = join(dir, 'grammar.generated.ts')
  execFileSync(process.execPath, [join(root, 'scripts/build-grammar.mjs'), '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] })
  const fresh = readFileSync(out, 'utf8')
  const committed = readFileSync(join(root, 'src/parse/grammar.generated.ts'), 'utf8')
  t.match(fresh, /^\/\/ GENERATED FILE, DO NOT EDIT/, 'has the do-not-edit header')
  t.match(fresh, /\n\/\/ @ts-nocheck\n/, 'keeps nearley\'s any out of the strict build')
  t.ok(fresh === committed, 'run `npm run grammar` and commit src/parse/grammar.generated.ts')
  t.end()
})
