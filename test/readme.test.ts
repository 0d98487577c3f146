import t from 'tap'
import { readFileSync } from 'node:fs'
import { renderReadme, section } from '../scripts/readme.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

t.test('the README opens with the two commands a newcomer needs', async (t) => {
  const top = readme.split('\n').slice(0, 15).join('\n')
  t.match(top, /npm ci && npx claimstorm scan examples\/sample/)
  t.match(top, /^npm test\b/m)
})

t.test('the generated parts of the README (docs sections, real command output) are current', async (t) => {
  const rendered = await renderReadme(readme)
  t.equal(rendered, readme, 'run `npm run readme` after changing docs/ or the scan output')
})

t.test('section() takes a heading up to the next one of the same level and demotes it', async (t) => {
  const doc = '# A\n\nx\n\n## B\n\n```\n# not a heading\n```\n\n### C\n\ny\n\n## D\n'
  t.equal(section(doc, 'B', 'doc.md'), '### B\n\n```\n# not a heading\n```\n\n#### C\n\ny')
  t.throws(() => section(doc, 'Z', 'doc.md'), /no heading "Z"/)
})
