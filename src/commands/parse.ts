import type { Command } from 'commander'
import type { CommandContext } from '../cli.js'

// Placeholder registration; the real `claimstorm parse` is being written (see the issue).
export function registerParseCommand (program: Command, ctx: CommandContext): void {
  program.command('parse').description('(not yet available)').action(() => { ctx.code = 3 })
}
