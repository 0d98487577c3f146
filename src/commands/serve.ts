// `claimstorm serve`: a long-running transform inside a log pipeline (Fluent Bit / Vector / Fluentd):
// records in over Forward, NDJSON TCP/unix, HTTP or stdin; alert records out over Forward, NDJSON
// sockets, HTTP or stdout. `claimstorm pipe` = `serve --in - --out -`.
import type { Command } from 'commander'
import type { CommandContext } from '../cli.js'
import { EXIT_CRITICAL, EXIT_OK, EXIT_USAGE, EXIT_WARNING } from '../exit-status.js'
import { isStormError } from '../errors.js'
import { SERVE_OPTIONS, configFromFlags, loadConfigFile, mergeConfig, type ServeConfig } from '../adapters/config.js'
import { createLogger, isLogLevel } from '../adapters/log.js'
import { startServe } from '../adapters/serve-runtime.js'
import { createDefaultStages } from '../adapters/stages.js'

function collect (value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

function addServeOptions (cmd: Command): Command {
  cmd.option('-c, --config <file>', 'YAML serve config; keys are the option names below (flags override the file)')
  for (const o of SERVE_OPTIONS) {
    const def = o.default === undefined || (Array.isArray(o.default) && o.default.length === 0) ? '' : ` (default: ${String(o.default)})`
    const flag = `--${o.key} ${o.arg}`
    if (o.type === 'list') cmd.option(flag, o.description + def, collect)
    else cmd.option(flag, o.description + def)
  }
  return cmd
}

async function run (ctx: CommandContext, flags: Record<string, unknown>, mode: 'serve' | 'pipe'): Promise<void> {
  // logs go to stderr as JSON lines from the first moment, at the level asked for on the command line
  const early = typeof flags['logLevel'] === 'string' && isLogLevel(flags['logLevel']) ? flags['logLevel'] : 'info'
  let log = createLogger(ctx.io.stderr, { level: early })
  let cfg: ServeConfig
  try {
    const file = typeof flags['config'] === 'string' ? loadConfigFile(flags['config']) : {}
    const fromFlags = configFromFlags(flags)
    if (mode === 'pipe') {
      if (fromFlags.in === undefined) fromFlags.in = ['-']
      if (fromFlags.out === undefined) fromFlags.out = ['-']
    }
    cfg = mergeConfig(file, fromFlags)
    log = createLogger(ctx.io.stderr, { level: cfg.logLevel })
    const handle = await startServe(cfg, {
      stdin: ctx.io.stdin,
      stdout: ctx.io.stdout,
      log,
      stages: createDefaultStages
    })
    const onSignal = (sig: NodeJS.Signals): void => {
      log.info('signal received', { signal: sig })
      void handle.stop('signal')
    }
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
    let result
    try {
      result = await handle.done
    } finally {
      process.removeListener('SIGTERM', onSignal)
      process.removeListener('SIGINT', onSignal)
    }
    if (mode === 'pipe' && result.reason === 'eof') {
      // like `scan`: the exit status says what was found in the whole input
      const sev = result.pipeline.stats.maxSeverity
      ctx.code = sev === 'critical' ? EXIT_CRITICAL : sev === 'warning' ? EXIT_WARNING : EXIT_OK
    } else {
      ctx.code = EXIT_OK
    }
  } catch (err) {
    if (!isStormError(err)) throw err
    log.error(err.message, { code: err.code })
    ctx.code = EXIT_USAGE
  }
}

/**
 * serve and pipe run under a supervisor whose log collector reads JSON lines from stderr: a command-line error
 * is one such line (like every other error of theirs), not commander's text and its 80 lines of help.
 */
function usageErrorsAsJson (cmd: Command, ctx: CommandContext): Command {
  return cmd.showHelpAfterError(false).configureOutput({
    outputError: (text) => {
      const msg = text.trim().replace(/^error: /, '')
      createLogger(ctx.io.stderr).error(`command line: ${msg} (see claimstorm ${cmd.name()} --help)`, { code: 'E_USAGE' })
    }
  })
}

export function registerServeCommands (program: Command, ctx: CommandContext): void {
  const serve = program.command('serve')
    .description('Read OVS/OVN log records from Fluent Bit / Vector / Fluentd / stdin and emit alert records (see docs/serve.md).\n' +
      'Example: claimstorm serve --in forward://127.0.0.1:24224 --out forward://127.0.0.1:24225?tag=ovn.alert --out - --metrics-listen 127.0.0.1:9464')
  addServeOptions(usageErrorsAsJson(serve, ctx)).action(async (flags: Record<string, unknown>) => { await run(ctx, flags, 'serve') })

  const pipe = program.command('pipe')
    .description('serve --in - --out -: log lines or JSON records on stdin, NDJSON alert records on stdout (Vector exec source, shell pipes).\n' +
      'Exit status at end of input: 0 nothing or info only, 1 warnings, 2 critical; 0 on SIGTERM; 3 usage error.')
  addServeOptions(usageErrorsAsJson(pipe, ctx)).action(async (flags: Record<string, unknown>) => { await run(ctx, flags, 'pipe') })
}
