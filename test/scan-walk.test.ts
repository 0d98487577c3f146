import t from 'tap'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { isLogFileName, nodeWalkFs, walkInputs, type WalkFs } from '../src/scan/walk.js'

function tree (): string {
  const root = mkdtempSync(join(tmpdir(), 'claimstorm-walk-'))
  const files = [
    'gw1/ovn-controller.log', 'gw1/ovn-controller.log.1', 'gw1/ovn-controller.log.2.gz', 'gw1/ovs-vswitchd.log.gz',
    'gw1/notes.txt', 'gw1/ovn-controller.pid',
    'pods/kube-system_ovnkube-node-x7k2p_0c9a/ovn-controller/0.log',
    'pods/kube-system_ovnkube-node-x7k2p_0c9a/ovn-controller/0.log.20240905-163854.gz',
    'deep/a/b/c/hv2.log'
  ]
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true })
    writeFileSync(join(root, f), 'x\n')
  }
  mkdirSync(join(root, 'containers'))
  // /var/log/containers/*.log are symlinks into /var/log/pods
  symlinkSync(join(root, 'pods/kube-system_ovnkube-node-x7k2p_0c9a/ovn-controller/0.log'),
    join(root, 'containers/ovnkube-node-x7k2p_kube-system_ovn-controller-0123456789abcdef.log'))
  symlinkSync(join(root, 'nowhere.log'), join(root, 'containers/dangling.log'))
  symlinkSync(root, join(root, 'deep/loop')) // a directory loop must not hang the walk
  return root
}

t.test('log file names', async (t) => {
  for (const n of ['ovn-controller.log', 'x.log.1', 'x.log.12.gz', 'x.log.gz', '0.log', '0.log.20240905-163854', '0.log.20240905-163854.gz']) {
    t.ok(isLogFileName(n), n)
  }
  for (const n of ['notes.txt', 'x.pid', 'x.log.old', 'x.logs', 'x.gz']) t.notOk(isLogFileName(n), n)
})

t.test('walks a directory recursively, each real file once, in a stable order', async (t) => {
  const root = tree()
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const r = await walkInputs([root])
  const rel = r.files.map((f) => relative(root, f.path))
  t.same(rel, [
    'containers/ovnkube-node-x7k2p_kube-system_ovn-controller-0123456789abcdef.log',
    'deep/a/b/c/hv2.log',
    'gw1/ovn-controller.log', 'gw1/ovn-controller.log.1', 'gw1/ovn-controller.log.2.gz', 'gw1/ovs-vswitchd.log.gz',
    'pods/kube-system_ovnkube-node-x7k2p_0c9a/ovn-controller/0.log.20240905-163854.gz'
  ])
  t.same(r.issues, [])
  t.ok(r.files.every((f) => !f.explicit && f.bytes === 2))
})

t.test('an explicit file is taken whatever its name; the same file named twice is read once', async (t) => {
  const root = tree()
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const notes = join(root, 'gw1/notes.txt')
  const r = await walkInputs([notes, notes, join(root, 'gw1')])
  t.same(r.files.map((f) => relative(root, f.path)), ['gw1/notes.txt', 'gw1/ovn-controller.log', 'gw1/ovn-controller.log.1', 'gw1/ovn-controller.log.2.gz', 'gw1/ovs-vswitchd.log.gz'])
  t.equal(r.files[0]?.explicit, true)
})

t.test('a FIFO named on the command line is accepted', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'claimstorm-walk-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const fifo = join(root, 'pipe')
  execFileSync('mkfifo', [fifo])
  const r = await walkInputs([fifo])
  t.equal(r.files.length, 1)
})

t.test('a missing path is an issue and the walk goes on', async (t) => {
  const root = tree()
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const r = await walkInputs([join(root, 'nope.log'), join(root, 'deep')])
  t.equal(r.files.length, 1)
  t.equal(r.issues.length, 1)
  t.equal(r.issues[0]?.code, 'missing')
  t.match(r.issues[0]?.message, /nope\.log: no such file or directory/)
  t.equal(r.issues[0]?.explicit, true)
})

t.test('an unreadable directory is an issue (fault injected: root ignores chmod 000)', async (t) => {
  const root = tree()
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const fs: WalkFs = {
    ...nodeWalkFs,
    readdir: async (p) => {
      if (p.endsWith('gw1')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })
      return await nodeWalkFs.readdir(p)
    }
  }
  const r = await walkInputs([root], { fs })
  t.notOk(r.files.some((f) => f.path.includes('/gw1/')))
  t.ok(r.files.some((f) => f.path.endsWith('hv2.log')), 'the rest is still walked')
  t.equal(r.issues.length, 1)
  t.equal(r.issues[0]?.code, 'unreadable')
  t.match(r.issues[0]?.message, /cannot read directory .*gw1: permission denied; skipped/)
})

t.test('maxFiles bounds a huge tree and says so', async (t) => {
  const root = tree()
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const r = await walkInputs([root], { maxFiles: 2 })
  t.equal(r.files.length, 2)
  t.match(r.issues.at(-1)?.message, /more than 2 log files found/)
})
