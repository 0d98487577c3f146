import t from 'tap'
import { VERSION } from '../src/version.js'
import { runCli } from './helpers/cli.js'

t.test('--version prints the package version and exits 0', async (t) => {
  const r = await runCli(['--version'])
  t.equal(r.code, 0)
  t.equal(r.stdout.trim(), VERSION)
})

t.test('an unknown command is a usage error (exit 3)', async (t) => {
  const r = await runCli(['no-such-command'])
  t.equal(r.code, 3)
  t.match(r.stderr, /unknown command/)
})
