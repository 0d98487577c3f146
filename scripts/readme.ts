// Fills the generated parts of README.md so the README cannot drift from the code and the docs:
//   <!-- include docs/signals.md#Options -->…<!-- /include -->   a section of a doc (headings demoted one level)
//   <!-- output scan examples/sample -->…<!-- /output -->        the real output of a claimstorm command
// Usage: node --import tsx scripts/readme.ts          rewrite README.md
//        node --import tsx scripts/readme.ts --check  exit 1 if README.md is not up to date
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { main } from '../src/cli.js'

const root = fileURLToPath(new URL('..', import.meta.url))

/** The section of `markdown` under the heading whose text is `heading`, up to the next heading of the same or a higher level. */
export function section (markdown: string, heading: string, file: string): string {
  const lines = markdown.split('\n')
  let start = -1
  let level = 0
  let fenced = false
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (line.startsWith('```')) fenced = !fenced
    if (fenced) continue
    const m = /^(#+) (.*)$/.exec(line)
    if (m === null) continue
    if (start < 0 && m[2] === heading) { start = i; level = (m[1] ?? '').length; continue }
    if (start >= 0 && (m[1] ?? '').length <= level) return demote(lines.slice(start, i))
  }
  if (start < 0) throw new Error(`${file}: no heading "${heading}"`)
  return demote(lines.slice(start))
}

function demote (lines: string[]): string {
  let fenced = false
  const out = lines.map((line) => {
    if (line.startsWith('```')) fenced = !fenced
    return !fenced && /^#+ /.test(line) ? '#' + line : line
  })
  while (out.length > 0 && out.at(-1) === '') out.pop()
  return out.join('\n')
}

async function commandOutput (args: string[]): Promise<string> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const chunks: Buffer[] = []
  stdout.on('data', (b: Buffer) => chunks.push(b))
  stderr.on('data', (b: Buffer) => chunks.push(b))
  const code = await main(['node', 'claimstorm', ...args], {
    stdin: Readable.from([]), stdout, stderr, stderrIsTTY: false, stdoutIsTTY: false, env: {}
  })
  await new Promise((resolve) => setImmediate(resolve))
  const text = Buffer.concat(chunks).toString('utf8').replaceAll(root, '').trimEnd()
  return `$ npx claimstorm ${args.join(' ')}\n${text}\n$ echo $?\n${code}`
}

export async function renderReadme (readme: string): Promise<string> {
  const includeRe = /<!-- include ([^#\s]+)#(.+?) -->\n[\s\S]*?<!-- \/include -->/g
  let out = readme.replace(includeRe, (_all, file: string, heading: string) => {
    const doc = readFileSync(join(root, file), 'utf8')
    return `<!-- include ${file}#${heading} -->\n${section(doc, heading, file)}\n<!-- /include -->`
  })
  const outputRe = /<!-- output (.+?) -->\n[\s\S]*?<!-- \/output -->/g
  for (const m of [...out.matchAll(outputRe)]) {
    const args = (m[1] ?? '').split(' ')
    const block = `<!-- output ${m[1]} -->\n\`\`\`console\n${await commandOutput(args)}\n\`\`\`\n<!-- /output -->`
    out = out.replace(m[0], () => block)
  }
  return out
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = join(root, 'README.md')
  const current = readFileSync(path, 'utf8')
  const next = await renderReadme(current)
  if (process.argv.includes('--check')) {
    if (next !== current) {
      process.stderr.write('README.md is out of date: run `npm run readme`\n')
      process.exitCode = 1
    }
  } else if (next !== current) {
    writeFileSync(path, next)
    process.stderr.write('README.md updated\n')
  }
}
