// Every bundled real log parses: zero Unparsed on genuine vlog lines, continuation lines (catalog
// 1.7) recognised as such, and every claim/release line typed.
import t, { type Test } from 'tap'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES, labLogs, labRuns, labScenarios, readFixture } from './helpers/fixtures.js'
import { parseVlog } from '../src/parse/vlog.js'
import type { Source } from '../src/types.js'

const CLAIM_WORDS = /Claiming|Changing chassis|Releasing/

interface Tally { records: number; continuations: number; typed: number }

function check (t: Test, name: string, lines: string[], source: Source): Tally {
  const tally: Tally = { records: 0, continuations: 0, typed: 0 }
  const bad: string[] = []
  for (const [i, line] of lines.entries()) {
    const r = parseVlog(line, source)
    if (r.kind === 'unparsed') {
      // §1.7: an embedded line is written as-is, indented or empty, after its record
      const continuation = tally.records > 0 && (line === '' || /^[ \t]/.test(line))
      if (continuation && (r.code === 'not-vlog' || r.code === 'empty')) tally.continuations++
      else bad.push(`${name}:${i + 1}: ${r.code} ${line}`)
      continue
    }
    tally.records++
    if (r.kind !== 'vlog') tally.typed++
    if (CLAIM_WORDS.test(r.message) && r.kind === 'vlog') bad.push(`${name}:${i + 1}: claim/release line not typed: ${line}`)
  }
  t.same(bad.slice(0, 10), [], `${name}: no unparsed record, no untyped claim line`)
  return tally
}

t.test('lab logs', (t) => {
  let total: Tally = { records: 0, continuations: 0, typed: 0 }
  for (const run of labRuns()) {
    for (const scenario of labScenarios(run)) {
      for (const log of labLogs(run, scenario)) {
        const s = check(t, `${scenario}/${log.node}/${log.daemon}`, log.lines, { wrapper: 'bare', node: log.node, file: log.path })
        total = { records: total.records + s.records, continuations: total.continuations + s.continuations, typed: total.typed + s.typed }
      }
    }
  }
  t.ok(total.records > 5000, `records parsed: ${total.records}`)
  t.ok(total.continuations > 1000, `continuation lines counted separately: ${total.continuations}`)
  t.ok(total.typed > 3000, `typed events: ${total.typed}`)
  t.end()
})

t.test('seed excerpts', (t) => {
  const dir = join(FIXTURES, 'seed-excerpts')
  const files = readdirSync(dir).filter((f) => f.endsWith('.log'))
  t.ok(files.includes('ovs-discuss-ofport-65535.wrapped.log'))
  for (const f of files) {
    const lines = readFixture(join(dir, f)).toString('utf8').split('\n')
    if (lines.at(-1) === '') lines.pop()
    if (f.endsWith('.wrapped.log')) {
      // archive-wrapped: not a real log form, it must only not crash
      let events = 0
      for (const line of lines) {
        const r = parseVlog(line, { wrapper: 'bare' })
        t.ok(r.kind === 'unparsed' || typeof r.message === 'string')
        if (r.kind !== 'unparsed') events++
      }
      t.ok(events > 0, 'the halves that carry an envelope still parse')
      continue
    }
    const s = check(t, f, lines, { wrapper: 'bare' })
    t.equal(s.records, lines.length, `${f}: every line is a record`)
    t.ok(s.typed > 0)
  }
  t.end()
})
