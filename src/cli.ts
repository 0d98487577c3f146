// bin entry: flags -> command -> adapter. Each subcommand lives in src/commands/<name>.ts, writes
// through the injected `io` (so tests run it in-process) and sets its exit status on the context:
// 0 nothing found / ok, 1 warnings, 2 critical, 3 usage or input error.
import { Command, CommanderError } from 'commander'
import type { Readable, Writable } from 'node:stream'
import { VERSION } from './version.js'
import { registerParseCommand } from './commands/parse.js'
import { registerScanCommand } from './commands/scan.js'
import { registerServeCommands } from './commands/serve.js'

import { EXIT_OK, EXIT_USAGE } from './exit-status.js'

export { EXIT_OK, EXIT_WARNING, EXIT_CRITICAL, EXIT_USAGE } from './exit-status.js'

/** Where a command reads and writes. `process` streams in the bin, PassThroughs in tests. */
export interface CliIo {
  stdin: Readable
  stdout: Writable
  stderr: Writable
  /** True when stderr is a terminal (progress output is shown only then). */
  stderrIsTTY: boolean
  /** True when stdout is a terminal (colour / table output). */
  stdoutIsTTY: boolean
  env: NodeJS.ProcessEnv
}

/** What every subcommand receives: the io to use and the exit status to set. */
export interface CommandContext {
  io: CliIo
  code: number
}

export function processIo (): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    stderrIsTTY: process.stderr.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    env: process.env
  }
}

export function buildProgram (ctx: CommandContext): Command {
  const program = new Command()
  program
    .name('claimstorm')
    .description('Precise alerts for OVN claim storms, OpenFlow port-number leaks and mass BFD down, read from OVS/OVN logs.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => ctx.io.stderr.write(s), writeOut: (s) => ctx.io.stdout.write(s) })
  registerParseCommand(program, ctx)
  registerScanCommand(program, ctx)
  registerServeCommands(program, ctx)
  // subcommands inherit exitOverride / output only when set before they are added; set them again for each
  for (const sub of program.commands) {
    sub.exitOverride().configureOutput({ writeErr: (s) => ctx.io.stderr.write(s), writeOut: (s) => ctx.io.stdout.write(s) })
  }
  return program
}

export async function main (argv: string[], io: CliIo = processIo()): Promise<number> {
  const ctx: CommandContext = { io, code: EXIT_OK }
  const program = buildProgram(ctx)
  try {
    await program.parseAsync(argv)
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version come through here with exitCode 0
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE
    }
    throw err
  }
  return ctx.code
}
