// OVN throttle regimes: by version (catalog §3.2 table) and inferred from re-claim intervals.
import t from 'tap'
import { inferRegime, regimeForVersion } from '../src/detect/throttle.js'

t.test('regime by OVN release', async (t) => {
  const cases: Array<[string, string | null]> = [
    ['20.03.0', 'none'], ['21.12.3', 'none'], ['22.03.1', 'none'], ['22.06.0', 'none'],
    ['22.03.2', '500ms'], ['22.06.1', '500ms'], ['v22.09.0', '500ms'], ['23.03.1', '500ms'], ['24.03.6', '500ms'], ['24.09.3', '500ms'], ['25.03.1', '500ms'],
    ['24.03.7', '2s'], ['25.03.2', '2s'], ['25.09', '2s'], ['26.03.0', '2s'],
    ['ovn', null], ['', null]
  ]
  for (const [v, want] of cases) t.equal(regimeForVersion(v), want, v)
})

t.test('inferred from the floor of contested re-claim intervals', async (t) => {
  t.equal(inferRegime([500, 501, 503], 8), null, 'too few samples')
  t.same(inferRegime([12, 30, 18, 25, 40, 22, 31, 19, 27], 8)?.regime, 'none')
  t.same(inferRegime([501, 499, 502, 510, 650, 1200, 505, 2400, 500], 8)?.regime, '500ms')
  t.same(inferRegime([2003, 2010, 2001, 2500, 2007, 4000, 2002, 2011, 2004], 8)?.regime, '2s')
  t.same(inferRegime([8, 501, 499, 502, 510, 650, 505, 500, 503, 501, 520, 500], 8)?.regime, '500ms', 'a bypassing re-claim does not flip it')
})
