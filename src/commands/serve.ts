import type { Command } from 'commander'
import type { CommandContext } from '../cli.js'

// Placeholder registration; the real `claimstorm serve` / `claimstorm pipe` are being written (see the issue).
export function registerServeCommands (program: Command, ctx: CommandContext): void {
  program.command('serve').description('(not yet available)').action(() => { ctx.code = 3 })
  program.command('pipe').description('(not yet available)').action(() => { ctx.code = 3 })
}
