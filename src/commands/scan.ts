import type { Command } from 'commander'
import type { CommandContext } from '../cli.js'

// Placeholder registration; the real `claimstorm scan` is being written (see the issue).
export function registerScanCommand (program: Command, ctx: CommandContext): void {
  program.command('scan').description('(not yet available)').action(() => { ctx.code = 3 })
}
