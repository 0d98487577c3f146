// stdin input (raw log lines or JSON records, one per line: Vector `exec` source, shell pipes) and
// the stdout NDJSON alert output. EPIPE on stdout (the reader went away) ends the run with 0.
import type { Readable, Writable } from 'node:stream'
import type { AlertOutput, InputAdapter, RecordSink } from './contracts.js'
import { emptyInputStats, emptyOutputStats } from './contracts.js'
import { createIntakeGate } from './intake-gate.js'
import { LineSplitter } from './lines.js'
import type { Logger } from './log.js'

/** A stdin line: a JSON object when it looks like one and parses, else the raw line (a log line). */
export function stdinRecord (line: string): unknown {
  const c = line.charCodeAt(0)
  if (c === 0x7b /* { */) {
    try { return JSON.parse(line) as unknown } catch { /* a log line that starts with { */ }
  }
  return line
}

export function startStdinInput (stdin: Readable, maxLineBytes: number, sink: RecordSink, log: Logger): InputAdapter {
  const stats = emptyInputStats()
  const splitter = new LineSplitter(maxLineBytes)
  let closed = false
  stats.connections = 1
  stats.connectionsTotal = 1
  const take = (lines: string[]): void => {
    if (lines.length === 0) return
    stats.lines += lines.length
    const records: unknown[] = []
    for (const l of lines) if (l !== '') records.push(stdinRecord(l))
    stats.records += records.length
    if (records.length > 0) sink.accept(records, 'stdin')
  }
  const ended = new Promise<void>((resolve) => {
    const done = (): void => { gate.end(finish) }
    const finish = (): void => {
      if (closed) return
      closed = true
      stats.connections = 0
      const last = splitter.end()
      if (last !== null) take([last])
      resolve()
    }
    // a chunk read while an output is full waits (stdin paused) until there is room
    const gate = createIntakeGate(sink, stdin, {
      keep: () => true,
      reading: () => !closed,
      handle: (buf) => {
        const { lines, overflow } = splitter.push(buf)
        take(lines)
        if (overflow > 0) {
          stats.rejected += overflow
          log.warn('stdin line over the size limit, skipped', { maxLineBytes, lines: overflow })
        }
        return true
      }
    })
    stdin.on('data', (chunk: Buffer | string) => {
      if (closed) return
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      stats.bytes += buf.length
      gate.push(buf)
    })
    stdin.once('end', done)
    stdin.once('close', done)
    stdin.once('error', (err) => { log.error('stdin read failed', { err }); done() })
  })
  return {
    kind: 'stdin',
    name: '-',
    stats,
    ended,
    address: () => null,
    async close () {
      if (closed) return
      closed = true
      stats.connections = 0
      stdin.pause()
    }
  }
}

/** NDJSON alerts on stdout; honours `drain`; `onEpipe` is called once when the reader is gone. */
export function createStdoutOutput (stdout: Writable, log: Logger, onEpipe: () => void): AlertOutput {
  const stats = emptyOutputStats()
  const listeners: Array<() => void> = []
  let broken = false
  let waiting = 0
  stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (broken) return
    broken = true
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') onEpipe()
    else { log.error('stdout write failed', { err }); onEpipe() }
  })
  stdout.on('drain', () => {
    stats.delivered += waiting
    waiting = 0
    for (const cb of listeners) cb()
  })
  return {
    kind: 'stdout',
    name: '-',
    stats,
    send (alert) {
      if (broken || stdout.destroyed || stdout.writableEnded) { stats.dropped++; return }
      stats.accepted++
      if (stdout.write(alert.json + '\n')) stats.delivered++
      else waiting++
    },
    depth: () => (broken ? 0 : waiting),
    full: () => !broken && stdout.writableNeedDrain,
    onProgress (cb) { listeners.push(cb) },
    async close (deadlineMs) {
      if (broken || !stdout.writableNeedDrain) return 0
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        new Promise<void>((resolve) => { stdout.once('drain', () => { resolve() }) }),
        new Promise<void>((resolve) => { timer = setTimeout(resolve, deadlineMs) })
      ])
      clearTimeout(timer)
      return waiting
    }
  }
}
