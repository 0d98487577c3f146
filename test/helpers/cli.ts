// Runs the CLI in-process with captured streams.
import { PassThrough, Readable } from 'node:stream'
import { main, type CliIo } from '../../src/cli.js'

export interface CliRun { code: number; stdout: string; stderr: string }

export async function runCli (args: string[], opts: { stdin?: string | Buffer; env?: NodeJS.ProcessEnv; stderrIsTTY?: boolean } = {}): Promise<CliRun> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const out: Buffer[] = []
  const err: Buffer[] = []
  stdout.on('data', (b: Buffer) => out.push(b))
  stderr.on('data', (b: Buffer) => err.push(b))
  const io: CliIo = {
    stdin: Readable.from(opts.stdin === undefined ? [] : [typeof opts.stdin === 'string' ? Buffer.from(opts.stdin) : opts.stdin]),
    stdout,
    stderr,
    stderrIsTTY: opts.stderrIsTTY ?? false,
    stdoutIsTTY: false,
    env: opts.env ?? {}
  }
  const code = await main(['node', 'claimstorm', ...args], io)
  stdout.end()
  stderr.end()
  await new Promise((resolve) => setImmediate(resolve))
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }
}
