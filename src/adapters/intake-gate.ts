// Back-pressure for stream inputs (NDJSON over TCP/unix, stdin): a chunk that arrives while the
// pipeline is saturated is not handed on. It is held, with the stream paused, until the sink has
// room, so records read from one connection can never push alerts of another input out of a full
// output queue. What is held is bounded by what the stream had already read when it was paused.
import type { RecordSink } from './contracts.js'

export interface Pausable {
  pause (): unknown
  resume (): unknown
}

export interface IntakeGate {
  /** Hands `chunk` to the handler now, or once the sink is ready (in arrival order). */
  push (chunk: Buffer): void
  /** Runs `fn` once every held chunk was handled (or dropped because the stream is gone). */
  end (fn: () => void): void
  /** Chunks held now. */
  readonly held: number
}

export interface GateHooks {
  /** False once the stream was closed for a fault: what is still held is dropped. */
  keep (): boolean
  /** False once the stream must not be resumed (closed by us). */
  reading (): boolean
  /** Hands one chunk on; false when it closed the stream for a fault. */
  handle (chunk: Buffer): boolean
}

export function createIntakeGate (sink: RecordSink, stream: Pausable, hooks: GateHooks): IntakeGate {
  const held: Buffer[] = []
  let waiting = false
  let onEmpty: (() => void) | null = null

  const wait = (): void => {
    waiting = true
    stream.pause()
    void sink.ready().then(() => {
      waiting = false
      pump()
      if (!waiting && hooks.reading()) stream.resume()
    })
  }

  const pump = (): void => {
    while (held.length > 0) {
      if (!hooks.keep()) { held.length = 0; break }
      if (sink.saturated()) { wait(); return }
      if (!hooks.handle(held.shift() as Buffer)) { held.length = 0; break }
    }
    if (onEmpty !== null) { const fn = onEmpty; onEmpty = null; fn() }
    // pause after handing on the chunk that filled the queue, so the next one is not even read
    if (held.length === 0 && hooks.keep() && hooks.reading() && sink.saturated()) wait()
  }

  return {
    push (chunk) {
      held.push(chunk)
      if (!waiting) pump()
    },
    end (fn) {
      if (held.length === 0) fn()
      else onEmpty = fn
    },
    get held () { return held.length }
  }
}
