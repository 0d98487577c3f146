// claimstorm's own logs: one JSON object per line on stderr, so the log pipeline that runs
// claimstorm can ingest them like any other structured log.
import type { Writable } from 'node:stream'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export type LogFields = Record<string, unknown>

export interface Logger {
  debug (msg: string, fields?: LogFields): void
  info (msg: string, fields?: LogFields): void
  warn (msg: string, fields?: LogFields): void
  error (msg: string, fields?: LogFields): void
}

export interface LoggerOptions {
  /** Lowest level written. @default 'info' */
  level?: LogLevel
  /** Clock for the `time` field (tests inject one). @default Date.now */
  now?: () => number
}

/** Structured JSON-lines logger: `{"level","time","msg",...fields}`. Never throws on odd fields. */
export function createLogger (out: Writable, options: LoggerOptions = {}): Logger {
  const min = RANK[options.level ?? 'info']
  const now = options.now ?? Date.now
  const write = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (RANK[level] < min) return
    let line: string
    try {
      line = JSON.stringify({ level, time: new Date(now()).toISOString(), msg, ...fields }, errorReplacer)
    } catch {
      line = JSON.stringify({ level, time: new Date(now()).toISOString(), msg, fields: '[unserializable]' })
    }
    if (!out.writableEnded && !out.destroyed) out.write(line + '\n')
  }
  return {
    debug: (m, f) => { write('debug', m, f) },
    info: (m, f) => { write('info', m, f) },
    warn: (m, f) => { write('warn', m, f) },
    error: (m, f) => { write('error', m, f) }
  }
}

function errorReplacer (_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as NodeJS.ErrnoException).code
    return code === undefined ? { name: value.name, message: value.message } : { name: value.name, message: value.message, code }
  }
  if (typeof value === 'bigint') return value.toString()
  return value
}

/** A logger that drops everything (library use without logs). */
export const silentLogger: Logger = { debug () {}, info () {}, warn () {}, error () {} }

export function isLogLevel (v: unknown): v is LogLevel {
  return v === 'debug' || v === 'info' || v === 'warn' || v === 'error'
}
