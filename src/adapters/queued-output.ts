// A bounded alert queue with batched delivery and retry/backoff, shared by the TCP/unix and HTTP
// outputs. Full queue: the runtime holds inputs back (data read meanwhile waits, unprocessed, for room);
// anything produced past the cap anyway (ticks, the rest of the chunk that filled it) evicts the oldest
// queued alert (not the batch being delivered) and counts it.
import type { PipelineAlert } from '../pipeline.js'
import type { AlertOutput, OutputKind, OutputStats } from './contracts.js'
import { emptyOutputStats } from './contracts.js'
import type { Logger } from './log.js'

/** `ok`: delivered; `retry`: keep and try again after backoff; `drop`: refused for good. */
export type DeliveryResult = 'ok' | 'retry' | 'drop'

export interface QueueOptions {
  /** Alerts held per output while the peer is away. @default 10000 */
  maxQueuedAlerts: number
  /** Alerts per delivery (one write / one POST). @default 500 */
  maxBatchAlerts: number
  /** First retry delay. @default 200 */
  retryInitialMs: number
  /** Retry delay cap (the delay doubles up to this). @default 10000 */
  retryMaxMs: number
}

export const DEFAULT_QUEUE_OPTIONS: QueueOptions = { maxQueuedAlerts: 10_000, maxBatchAlerts: 500, retryInitialMs: 200, retryMaxMs: 10_000 }

export interface QueuedOutputSpec {
  kind: OutputKind
  name: string
  options: QueueOptions
  log: Logger
  deliver (batch: PipelineAlert[]): Promise<DeliveryResult>
  /** Release sockets / agents once closed. */
  dispose? (): void
}

export function createQueuedOutput (spec: QueuedOutputSpec): AlertOutput {
  const { options, log } = spec
  const stats: OutputStats = emptyOutputStats()
  let queue: PipelineAlert[] = []
  let inflight: PipelineAlert[] = []
  let running = false
  let disposed = false
  let delayMs = options.retryInitialMs
  let sleepTimer: NodeJS.Timeout | null = null
  let wake: (() => void) | null = null
  const listeners: Array<() => void> = []
  const idleWaiters: Array<() => void> = []
  let warnedDown = false

  const progress = (): void => { for (const cb of listeners) cb() }
  const depth = (): number => queue.length + inflight.length

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => {
    wake = resolve
    sleepTimer = setTimeout(() => { sleepTimer = null; wake = null; resolve() }, ms)
  })

  const run = async (): Promise<void> => {
    if (running) return
    running = true
    try {
      while (queue.length > 0 && !disposed) {
        inflight = queue.splice(0, options.maxBatchAlerts)
        let result: DeliveryResult
        try {
          result = await spec.deliver(inflight)
        } catch (err) {
          log.warn('output delivery failed', { output: spec.name, err })
          result = 'retry'
        }
        const batch = inflight
        inflight = []
        if (result === 'retry') {
          stats.retries++
          queue = batch.concat(queue)
          trim()
          if (!warnedDown) { log.warn('output unavailable, queueing alerts', { output: spec.name, queued: depth() }); warnedDown = true }
          await sleep(delayMs)
          delayMs = Math.min(options.retryMaxMs, delayMs * 2)
          continue
        }
        if (warnedDown) { log.info('output delivering again', { output: spec.name }); warnedDown = false }
        delayMs = options.retryInitialMs
        if (result === 'ok') stats.delivered += batch.length
        else stats.dropped += batch.length
        progress()
      }
    } finally {
      running = false
      if (depth() === 0) for (const w of idleWaiters.splice(0)) w()
    }
  }

  const trim = (): void => {
    const over = depth() - options.maxQueuedAlerts
    if (over > 0) {
      queue.splice(0, Math.min(over, queue.length))
      stats.dropped += over
      log.warn('output queue full, dropped oldest alerts', { output: spec.name, dropped: over })
    }
  }

  return {
    kind: spec.kind,
    name: spec.name,
    stats,
    send (alert) {
      if (disposed) { stats.dropped++; return }
      stats.accepted++
      queue.push(alert)
      trim()
      void run()
    },
    depth,
    full: () => depth() >= options.maxQueuedAlerts,
    onProgress (cb) { listeners.push(cb) },
    async close (deadlineMs) {
      if (depth() > 0) {
        // retry sooner while draining for shutdown
        delayMs = Math.min(delayMs, 500)
        if (wake !== null && sleepTimer !== null) { clearTimeout(sleepTimer); sleepTimer = null; const w = wake; wake = null; w() }
        void run()
        let timer: NodeJS.Timeout | undefined
        await Promise.race([
          new Promise<void>((resolve) => { idleWaiters.push(resolve) }),
          new Promise<void>((resolve) => { timer = setTimeout(resolve, deadlineMs) })
        ])
        clearTimeout(timer)
      }
      const left = depth()
      disposed = true
      if (sleepTimer !== null) { clearTimeout(sleepTimer); sleepTimer = null; wake?.() }
      if (left > 0) log.warn('output closed with undelivered alerts', { output: spec.name, undelivered: left })
      spec.dispose?.()
      return left
    }
  }
}
