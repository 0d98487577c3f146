// Compiles grammar/ovs-line.ne (and the files it @includes) with nearleyc into
// src/parse/grammar.generated.ts, prefixed with a do-not-edit header and `// @ts-nocheck`
// so nearley's generated `any` stays out of the strict build.
//
//   node scripts/build-grammar.mjs [--out <file>]
//
// test/grammar-drift.test.ts runs this with --out into a temp dir and diffs the result.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outIndex = process.argv.indexOf('--out')
const out = outIndex === -1 ? join(root, 'src/parse/grammar.generated.ts') : process.argv[outIndex + 1]
if (out === undefined) throw new Error('--out needs a file name')

export const HEADER = [
  '// GENERATED FILE, DO NOT EDIT: compiled by scripts/build-grammar.mjs (npm run grammar)',
  '// from grammar/ovs-line.ne and the files it includes. Edit the grammar and rebuild.',
  '// test/grammar-drift.test.ts fails when this file and the grammar disagree.',
  '// @ts-nocheck',
  ''
].join('\n')

const tmp = mkdtempSync(join(tmpdir(), 'claimstorm-grammar-'))
try {
  const raw = join(tmp, 'grammar.ts')
  execFileSync(process.execPath, [join(root, 'node_modules/nearley/bin/nearleyc.js'), join(root, 'grammar/ovs-line.ne'), '-o', raw], { stdio: ['ignore', 'ignore', 'inherit'] })
  // nearleyc's own first lines name its version and a URL; keep them, after our header.
  writeFileSync(out, HEADER + readFileSync(raw, 'utf8'))
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
