// `claimstorm scan` end to end, in-process: every option, every exit status, every input error.
import t from 'tap'
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PassThrough, Readable, Writable } from 'node:stream'
import { spawnSync } from 'node:child_process'
import { gunzipSync } from 'node:zlib'
import { runCli } from './helpers/cli.js'
import { main } from '../src/cli.js'
import { LAB, readFixture } from './helpers/fixtures.js'
import { exitStatus, parseTimeArg } from '../src/commands/scan.js'
import { runScan } from '../src/scan/scan.js'
import { nodeWalkFs, type WalkFs } from '../src/scan/walk.js'
import { VERSION } from '../src/version.js'

const SAMPLE = fileURLToPath(new URL('../examples/sample/', import.meta.url))
const S07 = join(LAB, 'sample', '07-multi-gw-bad-node-storm')
/** The published entry point (dist/, built by `npm ci` through `prepare`). */
const BIN = fileURLToPath(new URL('../bin/claimstorm.js', import.meta.url))
const S05 = join(LAB, 'sample', '05-port-flap-ofport-growth')
const S01 = join(LAB, 'sample', '01-normal-failover')
const STORM_START = '2026-11-22T07:45:53Z'

function tmp (t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'claimstorm-scan-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

const readFixtureText = (path: string): string => readFixture(path).toString('utf8')

interface Record { event: { kind: string; action: string }; rule: { name: string }; message: string; labels: { node: string }; ovn: { lport?: string } }

function records (stdout: string): Record[] {
  return stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record)
}

t.test('the quick start: examples/sample prints the storm and its culprit, exit 2', async (t) => {
  const r = await runCli(['scan', SAMPLE])
  t.equal(r.code, 2)
  t.equal(r.stderr, '')
  t.match(r.stdout, /^claimstorm scan: 12 files \(\d+ KB\) from 6 nodes, 1,327 lines/)
  t.match(r.stdout, /gw3\s+\S*examples\/sample\/gw3\/ovn-controller\.log\s+\(parent-dir\)\s+440 lines/)
  t.equal((r.stdout.match(/CRITICAL {2}claim-storm {2}cr-lrp-/g) ?? []).length, 5)
  t.match(r.stdout, /claim-storm\s+cr-lrp-83cee638-ce95-4eb1-b59b-1616db71fa90\s+gw3,gw1\s+gw3 > gw1\s+07:45:5\d\s+2\d\.\ds\+?\s+\d+(\.\d)? claims\/s/)
  t.match(r.stdout.trimEnd().split('\n').at(-1), /^CRITICAL: 5 gateway ports storming; .*drain gw3 first \(/)
  t.notMatch(r.stdout, /\u001b\[/, 'no colours when stdout is not a terminal')
})

t.test('--json: the alert records as NDJSON, one per signal', async (t) => {
  const r = await runCli(['scan', S07, '--json'])
  t.equal(r.code, 2)
  const recs = records(r.stdout)
  t.ok(recs.length >= 12)
  t.ok(recs.every((x) => x.event.kind === 'alert'))
  const firing = recs.filter((x) => x.event.action === 'firing' && x.rule.name === 'OVN claim storm')
  t.equal(firing.length, 5)
  const last = new Map<string, Record>()
  for (const x of recs) if (x.rule.name === 'OVN claim storm') last.set(x.ovn.lport ?? '', x)
  t.equal(last.size, 5)
  for (const x of last.values()) t.equal(x.labels.node, 'gw3', `the last record of ${x.ovn.lport ?? ''} names gw3`)
  t.notMatch(r.stdout, /Files and the node/, 'no summary mixed into the NDJSON')
})

t.test('--report writes a self-contained HTML file', async (t) => {
  const dir = tmp(t)
  const out = join(dir, 'storm.html')
  const r = await runCli(['scan', S07, '--report', out])
  t.equal(r.code, 2)
  t.match(r.stdout, `Report written to ${out}`)
  const html = readFileSync(out, 'utf8')
  t.match(html, /^<!doctype html>/)
  t.match(html, /CRITICAL: 5 gateway ports storming/)
  t.notMatch(html, /(src|href)="(https?:)?\/\//, 'nothing fetched from the network')
  t.equal((html.match(/class="card port"/g) ?? []).length, 5)
  const bad = await runCli(['scan', S07, '--report', join(dir, 'no/such/dir/x.html')])
  t.equal(bad.code, 3)
  t.match(bad.stderr, /claimstorm scan: cannot write the report to .*no\/such\/dir\/x\.html/)
})

t.test('--compare-baseline prints the rule beside the verdict', async (t) => {
  const r = await runCli(['scan', S07, '--compare-baseline'])
  t.equal(r.code, 2)
  t.match(r.stdout, /Baseline: today's rule rate\(\{app="ovs"\} \|= "binding\|INFO\|cr-lrp" \[1m\]\) > 1, per node:/)
  t.match(r.stdout, /would have fired on gw3 /)
  t.match(r.stdout, /silent on hv1, hv2, hv3/)
  const vif = await runCli(['scan', join(LAB, 'sample', '03-vif-dup-claim-storm'), '--compare-baseline'])
  t.match(vif.stdout, /would have stayed silent on every node/)
  t.match(vif.stdout, /a storm the rule stayed silent on: 36116ceb-/)
})

t.test('--node and --node-pattern', async (t) => {
  const one = await runCli(['scan', join(S07, 'gw3', 'ovn-controller.log.gz'), join(S07, 'gw3', 'ovs-vswitchd.log.gz'), '--node', 'edge-3'])
  t.match(one.stdout, /edge-3\s+\S+ovn-controller\.log\.gz\s+\(option\)/)
  t.match(one.stdout, /edge-3\s+\S+ovs-vswitchd\.log\.gz\s+\(option\)/)
  const pat = await runCli(['scan', S07, '--node-pattern', '/(?<node>gw\\d|hv\\d)/ovn-'])
  t.match(pat.stdout, /gw3\s+\S+gw3\/ovn-controller\.log\.gz\s+\(pattern\)/)
  t.match(pat.stdout, /gw3\s+\S+gw3\/ovs-vswitchd\.log\.gz\s+\(parent-dir\)/, 'no match: the default')
  const noGroup = await runCli(['scan', S07, '--node-pattern', 'gw\\d'])
  t.equal(noGroup.code, 3)
  t.match(noGroup.stderr, /--node-pattern "gw\\\\d" needs a capture group/)
  const both = await runCli(['scan', S07, '--node', 'a', '--node-pattern', '(a)'])
  t.equal(both.code, 3)
  t.match(both.stderr, /cannot be used together/)
  const empty = await runCli(['scan', S07, '--node', ' '])
  t.equal(empty.code, 3)
})

t.test('--since / --until', async (t) => {
  const after = await runCli(['scan', S07, '--since', '2026-11-22T07:47:00Z'])
  t.equal(after.code, 0, 'the storm is before the window')
  t.match(after.stdout, /events outside --since\/--until left out/)
  t.match(after.stdout, /Alerts: none/)
  const before = await runCli(['scan', S07, '--until', '2026-11-22T07:45:50'])
  t.equal(before.code, 0, 'zone-less times are UTC, like the logs')
  const during = await runCli(['scan', S07, '--since', '2026-11-22T07:45:40Z', '--until', '2026-11-22T07:46:30Z'])
  t.equal(during.code, 2)
  const rel = await runCli(['scan', S07, '--since', '100000d'])
  t.equal(rel.code, 2, 'a duration back from now')
  const bad = await runCli(['scan', S07, '--since', 'yesterday'])
  t.equal(bad.code, 3)
  t.match(bad.stderr, /--since "yesterday": expected an ISO time/)
  const order = await runCli(['scan', S07, '--since', STORM_START, '--until', '2026-11-22T07:00:00Z'])
  t.equal(order.code, 3)
  t.match(order.stderr, /--since is after --until/)
  t.equal(parseTimeArg('--since', '2h', 10_000_000), 10_000_000 - 7_200_000)
  t.equal(parseTimeArg('--since', '2026-11-22', 0), Date.parse('2026-11-22T00:00:00Z'))
  t.equal(parseTimeArg('--since', '2026-11-22T08:45:53+01:00', 0), Date.parse(STORM_START))
})

t.test('detector options pass through', async (t) => {
  const high = await runCli(['scan', S07, '--json', '--storm-min-handoffs', '1000'])
  t.notOk(records(high.stdout).some((x) => x.rule.name === 'OVN claim storm'), 'a threshold no storm reaches')
  const ver = await runCli(['scan', S07, '--ovn-version', '23.03.1', '--quiet-ms', '5000'])
  t.equal(ver.code, 2)
  const thr = await runCli(['scan', S07, '--throttle', '500ms'])
  t.equal(thr.code, 2)
  for (const args of [['--ovn-version', 'banana'], ['--throttle', '1s'], ['--storm-min-handoffs', 'many'], ['--quiet-ms', '-5'], ['--max-line-bytes', '10'], ['--workers', '-1'], ['--workers', 'two']]) {
    const r = await runCli(['scan', S07, ...args])
    t.equal(r.code, 3, args.join(' '))
    t.match(r.stderr, new RegExp(args[0] ?? ''), 'the message names the option')
    t.equal(r.stdout, '', 'nothing scanned')
  }
})

t.test('progress: only on a terminal, only for large inputs, never with --quiet', async (t) => {
  const env = { CLAIMSTORM_PROGRESS_MIN_BYTES: '1' }
  const tty = await runCli(['scan', S07], { env, stderrIsTTY: true })
  t.match(tty.stderr, /\rscan: \d+(\.\d)? KB of \d+(\.\d)? KB \(\d+%\) · [\d,]+ lines\/s · /)
  t.match(tty.stderr, /\r\u001b\[K$/, 'the line is cleared at the end')
  const quiet = await runCli(['scan', S07, '--quiet'], { env, stderrIsTTY: true })
  t.equal(quiet.stderr, '')
  const pipe = await runCli(['scan', S07], { env, stderrIsTTY: false })
  t.equal(pipe.stderr, '')
  const small = await runCli(['scan', S07], { stderrIsTTY: true })
  t.equal(small.stderr, '', 'a small input is over before progress would help')
})

t.test('exit statuses: 0 nothing, 1 warning, 2 critical, 3 usage', async (t) => {
  t.equal((await runCli(['scan', S01])).code, 0)
  const warn = await runCli(['scan', S05])
  t.equal(warn.code, 1)
  t.match(warn.stdout, /^WARNING: port flapping on hv2/m)
  t.equal((await runCli(['scan', S07])).code, 2)
  const none = await runCli(['scan'])
  t.equal(none.code, 3)
  t.match(none.stderr, /missing required argument 'path'/)
  const unknown = await runCli(['scan', S07, '--frobnicate'])
  t.equal(unknown.code, 3)
})

t.test('a missing file: said on stderr, the rest scanned, exit 3', async (t) => {
  const r = await runCli(['scan', '/nonexistent/gw9/ovn-controller.log', S07])
  t.equal(r.code, 3)
  t.match(r.stderr, 'claimstorm scan: /nonexistent/gw9/ovn-controller.log: no such file or directory\n')
  t.match(r.stdout, /CRITICAL: 5 gateway ports storming/, 'the other input was scanned')
})

t.test('a file that is not a log: said, skipped, the rest scanned', async (t) => {
  const dir = tmp(t)
  const notes = join(dir, 'notes.txt')
  writeFileSync(notes, 'remember to drain gw3\nand call the vendor\n')
  const r = await runCli(['scan', notes, S07])
  t.equal(r.code, 3, 'a named file that is not a log is an input error')
  t.match(r.stderr, `claimstorm scan: ${notes} is not an OVS/OVN log (no vlog line in its first 2 lines); skipped`)
  t.match(r.stdout, /CRITICAL: 5 gateway ports storming/)
  // found while walking a directory (dpkg.log in /var/log): a note, not an error
  const tree = join(dir, 'tree')
  cpSync(S07, tree, { recursive: true })
  writeFileSync(join(tree, 'dpkg.log'), '2026-11-22 07:00:00 status installed chromium\n')
  writeFileSync(join(tree, 'gw1', 'garbage.log'), Buffer.from([0, 1, 2, 3, 255, 254, 10, 0, 0, 7, 10]))
  const walked = await runCli(['scan', tree])
  t.equal(walked.code, 2, 'the storm decides the status')
  t.match(walked.stderr, /dpkg\.log is not an OVS\/OVN log/)
  t.match(walked.stderr, /garbage\.log is not an OVS\/OVN log/)
  t.match(walked.stdout, /dpkg\s+\S+dpkg\.log\s+\(file-name\)\s+not-a-log/)
  const quiet = await runCli(['scan', tree, '--quiet'])
  t.equal(quiet.stderr, '', '--quiet drops those notes')
})

t.test('a corrupt .gz: said which, the lines before it scanned, the rest scanned', async (t) => {
  const dir = tmp(t)
  const tree = join(dir, 'logs')
  cpSync(S07, tree, { recursive: true })
  const gz = join(tree, 'gw1', 'ovn-controller.log.gz')
  const bytes = readFileSync(gz)
  const broken = Buffer.from(bytes)
  for (let i = Math.floor(bytes.length / 2); i < bytes.length - 8; i++) broken[i] = (broken[i] ?? 0) ^ 0x5a
  chmodSync(gz, 0o644)
  writeFileSync(gz, broken)
  const r = await runCli(['scan', tree])
  t.equal(r.code, 3)
  t.match(r.stderr, new RegExp(`claimstorm scan: ${gz.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: corrupt gzip \\(.+\\) after \\d+ lines; the lines before it were scanned`))
  t.match(r.stdout, /gw1\s+\S+gw1\/ovn-controller\.log\.gz\s+\(parent-dir\)\s+corrupt-gzip/)
  t.match(r.stdout, /claim-storm/, 'the other files were scanned')
  const cut = join(dir, 'cut.log.gz')
  writeFileSync(cut, bytes.subarray(0, bytes.length - 20))
  const c = await runCli(['scan', cut])
  t.equal(c.code, 3)
  t.match(c.stderr, /cut\.log\.gz: corrupt gzip/)
  // named as an archive but holding no gzip stream: a corrupt .gz, not "not a log"
  const fake = join(dir, 'fake.log.gz')
  writeFileSync(fake, Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0, 9, 10, 0xff, 0xfe, 10]))
  const f = await runCli(['scan', fake, S07])
  t.equal(f.code, 3)
  t.match(f.stderr, `claimstorm scan: ${fake}: corrupt gzip (no gzip header, and not an OVS/OVN log as plain text either); skipped`)
  t.notMatch(f.stderr, /is not an OVS\/OVN log/)
  t.match(f.stdout, /fake\.log\.gz\s+\(file-name\)\s+corrupt-gzip/)
  t.match(f.stdout, /CRITICAL: 5 gateway ports storming/, 'the other files were scanned')
  // an uncompressed log that someone named .gz is read as the log it is
  const plain = join(dir, 'plain.log.gz')
  writeFileSync(plain, gunzipSync(readFileSync(join(S07, 'gw3', 'ovn-controller.log.gz'))))
  const p = await runCli(['scan', plain, '--json'])
  t.equal(p.stderr, '')
  t.not(p.code, 3, 'not an input error')
})

t.test('an unreadable directory', async (t) => {
  const dir = tmp(t)
  const tree = join(dir, 'logs')
  mkdirSync(join(tree, 'locked'), { recursive: true })
  copyFileSync(join(S07, 'gw3', 'ovn-controller.log.gz'), join(tree, 'gw3.log.gz'))
  if (process.getuid?.() !== 0) {
    chmodSync(join(tree, 'locked'), 0)
    t.teardown(() => chmodSync(join(tree, 'locked'), 0o755))
    const r = await runCli(['scan', tree])
    t.equal(r.code, 3)
    t.match(r.stderr, /cannot read directory .*locked: permission denied; skipped/)
  }
  // root reads anything: fail the directory read through the walk's fs seam instead
  const fs: WalkFs = {
    ...nodeWalkFs,
    readdir: async (p) => {
      if (p.endsWith('locked')) throw Object.assign(new Error('EACCES: permission denied, scandir'), { code: 'EACCES' })
      return await nodeWalkFs.readdir(p)
    }
  }
  const report = await runScan({ paths: [tree], fs })
  t.equal(report.issues.length, 1)
  t.match(report.issues[0]?.message, /cannot read directory .*locked: permission denied; skipped/)
  t.equal(report.files.length, 1, 'the rest was scanned')
  t.equal(exitStatus(report), 3)
})

t.test('an unreadable file: said which, the rest scanned', async (t) => {
  const dir = tmp(t)
  const tree = join(dir, 'logs')
  cpSync(S07, tree, { recursive: true })
  const locked = join(tree, 'gw2', 'ovs-vswitchd.log')
  writeFileSync(locked, '2026-11-22T07:45:00.000Z|00001|bridge|INFO|bridge br-int: added interface tap0 on port 12\n')
  chmodSync(locked, 0)
  t.teardown(() => chmodSync(locked, 0o644))
  const want = new RegExp(`claimstorm scan: cannot read ${locked.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: permission denied; skipped`)
  if (process.getuid?.() !== 0) {
    const r = await runCli(['scan', tree])
    t.equal(r.code, 3)
    t.match(r.stderr, want)
    t.match(r.stdout, /CRITICAL: 5 gateway ports storming/, 'the other files were scanned')
    return
  }
  // root reads anything: run the built CLI without the capabilities that let it (CI runs as root)
  const child = spawnSync('setpriv', ['--bounding-set=-dac_override,-dac_read_search', process.execPath, BIN, 'scan', tree], { encoding: 'utf8' })
  t.equal(child.error, undefined, 'setpriv (util-linux) runs')
  t.equal(child.status, 3)
  t.match(child.stderr, want)
  t.match(child.stdout, /gw2\s+\S+gw2\/ovs-vswitchd\.log\s+\(parent-dir\)\s+read-error/)
  t.match(child.stdout, /CRITICAL: 5 gateway ports storming/, 'the other files were scanned')
})

// /proc/self/mem opens for its own process but fails the read at offset 0 with EIO: a real I/O error
t.test('a read error (EIO): said which, the rest scanned', { skip: process.platform !== 'linux' && 'needs /proc' }, async (t) => {
  const r = await runCli(['scan', '/proc/self/mem', S07])
  t.equal(r.code, 3)
  t.match(r.stderr, 'claimstorm scan: cannot read /proc/self/mem: EIO: i/o error, read; scanned what came before')
  t.match(r.stdout, /\/proc\/self\/mem\s+\(file-name\)\s+read-error/)
  t.match(r.stdout, /CRITICAL: 5 gateway ports storming/, 'the other files were scanned')
})

t.test('an empty directory is an input error', async (t) => {
  const dir = tmp(t)
  const r = await runCli(['scan', dir])
  t.equal(r.code, 3)
  t.match(r.stderr, /no log files \(\*\.log, \*\.log\.N, \*\.log\.gz\) found in this directory/)
})

t.test('help and version', async (t) => {
  const help = await runCli(['scan', '--help'])
  t.equal(help.code, 0)
  for (const want of ['--json', '--report <file.html>', '--compare-baseline', '--node <name>', '--node-pattern <regex>', '--since <time>', '--until <time>',
    '--quiet', '--ovn-version <version>', '--throttle <regime>', '--storm-min-handoffs <n>', 'Examples:', 'Exit status: 0 nothing found, 1 warnings, 2 critical, 3 usage or input error']) {
    t.match(help.stdout, want)
  }
  const top = await runCli(['--help'])
  t.equal(top.code, 0)
  t.match(top.stdout, /scan \[options\] <path\.\.\.>/)
  t.match(top.stdout, /\$ claimstorm scan examples\/sample/)
  const v = await runCli(['--version'])
  t.equal(v.stdout.trim(), VERSION)
})

t.test('stdout closed by the reader (scan --json | head): exit 0, quietly', async (t) => {
  let writes = 0
  const stdout = new Writable({
    highWaterMark: 16,
    write (_chunk, _enc, cb) {
      writes++
      cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))
    }
  })
  const stderr = new PassThrough()
  const err: Buffer[] = []
  stderr.on('data', (b: Buffer) => err.push(b))
  const code = await main(['node', 'claimstorm', 'scan', S07, '--json'], { stdin: Readable.from([]), stdout, stderr, stderrIsTTY: false, stdoutIsTTY: false, env: {} })
  t.equal(code, 0)
  t.equal(Buffer.concat(err).toString(), '')
  t.ok(writes >= 1 && writes <= 12, `stopped writing after the pipe broke (${writes} writes)`)
})

t.test('wrappers mixed, node from record metadata beats the path', async (t) => {
  const dir = tmp(t)
  const lines = (node: string, daemon: string): string[] =>
    readFixtureText(join(S07, node, `${daemon}.log.gz`)).split('\n').filter((l) => l !== '')
  // gw3's lines as Fluent Bit records (kubernetes.host names the node) in a file whose name says nothing
  writeFileSync(join(dir, 'shipped.log'), lines('gw3', 'ovn-controller').map((l) => JSON.stringify({ log: `${l}\n`, stream: 'stderr', kubernetes: { host: 'gw3', pod_name: 'ovn-controller-x1', namespace_name: 'openstack' } })).join('\n') + '\n')
  // gw1 as CRI container lines under a pod path
  const pod = join(dir, 'pods', 'openstack_ovn-controller-gw1_0c9a', 'ovn-controller')
  mkdirSync(pod, { recursive: true })
  writeFileSync(join(pod, '0.log'), lines('gw1', 'ovn-controller').map((l) => `2026-11-22T07:45:00.000000000Z stderr F ${l}`).join('\n') + '\n')
  // gw2 plain, hypervisors plain
  for (const n of ['gw2', 'hv1', 'hv2', 'hv3']) {
    mkdirSync(join(dir, n))
    writeFileSync(join(dir, n, 'ovn-controller.log'), lines(n, 'ovn-controller').join('\n') + '\n')
  }
  const r = await runCli(['scan', dir])
  t.equal(r.code, 2)
  t.match(r.stdout, /shipped\s+\S+shipped\.log\s+\(file-name; records name gw3\)/, 'the summary shows the records named another node')
  t.match(r.stdout, /ovn-controller-gw1\s+\S+0\.log\s+\(pod\)/)
  t.match(r.stdout, /^CRITICAL: 5 gateway ports storming; drain gw3 first/m, 'gw3 found through the record metadata')
})

t.test('colours on a terminal, --no-color, --max-line-bytes', async (t) => {
  const run = async (args: string[]): Promise<{ code: number; out: string }> => {
    const stdout = new PassThrough()
    const chunks: Buffer[] = []
    stdout.on('data', (b: Buffer) => chunks.push(b))
    const code = await main(['node', 'claimstorm', 'scan', S07, ...args], { stdin: Readable.from([]), stdout, stderr: new PassThrough(), stderrIsTTY: false, stdoutIsTTY: true, env: {} })
    return { code, out: Buffer.concat(chunks).toString() }
  }
  t.match((await run([])).out, /\u001b\[1m\u001b\[31mCRITICAL: 5 gateway ports storming/)
  t.notMatch((await run(['--no-color'])).out, /\u001b\[/)
  // a 400-byte vlog line is read by default and counted as unparsed (not fatal) under --max-line-bytes 300
  const dir = tmp(t)
  const log = join(dir, 'gw9.log')
  const long = `2026-11-22T07:45:53.497Z|00330|binding|INFO|Changing chassis for lport cr-lrp-${'x'.repeat(300)} from gw2 to gw9.`
  writeFileSync(log, ['2026-11-22T07:45:50.000Z|00328|vlog|INFO|opened log file /var/log/ovn/ovn-controller.log', long, '2026-11-22T07:45:54.000Z|00331|main|INFO|OVNSB commit failed, force recompute next time.'].join('\n') + '\n')
  const unparsed = (s: string): number => Number(/([\d,]+) unparsed/.exec(s)?.[1]?.replace(/,/g, '') ?? NaN)
  const full = await runCli(['scan', log])
  t.equal(unparsed(full.stdout), 0)
  const short = await runCli(['scan', log, '--max-line-bytes', '300'])
  t.equal(unparsed(short.stdout), 1, 'the long line is one unparsed line')
  t.equal(short.code, 0)
})

t.test('--workers: the same summary and records with parse workers as without', async (t) => {
  const lab = join(LAB, 'sample')
  const main = await runCli(['scan', lab, '--json', '--workers', '0'])
  const pooled = await runCli(['scan', lab, '--json', '--workers', '2'])
  t.equal(main.code, 2)
  t.equal(pooled.code, main.code)
  t.ok(main.stdout.split('\n').length > 20, 'alert records printed')
  t.equal(pooled.stdout, main.stdout)
  const summary = await runCli(['scan', S07, '--workers', '1'])
  t.match(summary.stdout, /CRITICAL: 5 gateway ports storming/)
})

t.test('an input with nothing to judge is not called OK', async (t) => {
  const missing = await runCli(['scan', '/nonexistent/dir'])
  t.equal(missing.code, 3)
  t.notMatch(missing.stdout, /^OK/m)
  t.match(missing.stdout, /^NOTHING CHECKED: no log file found in the input$/m)
  const dir = tmp(t)
  writeFileSync(join(dir, 'notes.log'), 'remember to drain gw3\n')
  const notLogs = await runCli(['scan', dir])
  t.equal(notLogs.code, 3)
  t.match(notLogs.stdout, /^NOTHING CHECKED: no input file could be read as a log$/m)
  const outside = await runCli(['scan', S01, '--until', '2020-01-01T00:00:00Z'])
  t.notMatch(outside.stdout, /^OK/m)
  t.match(outside.stdout, /^NOTHING CHECKED: every line of the \d+ files read lies outside --since\/--until$/m)
  const fine = await runCli(['scan', S01])
  t.match(fine.stdout, /^OK: no claim storm, ofport exhaustion or mass BFD down found$/m, 'a quiet log read in full is OK')
})

t.test('--node over files whose paths name several nodes: a warning says storms between them are lost', async (t) => {
  const r = await runCli(['scan', SAMPLE, '--node', 'x'])
  t.match(r.stderr, /warning: --node x gives all \d+ files one node, but their paths name 6 \(gw1, gw2, gw3, hv1, …\)/)
  const one = await runCli(['scan', join(S07, 'gw1'), '--node', 'gw1'])
  t.notMatch(one.stderr, /warning/, 'one node\'s own logs: no warning')
  const none = await runCli(['scan', SAMPLE])
  t.notMatch(none.stderr, /warning/, 'without --node: no warning')
})
