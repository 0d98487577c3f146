// Worker threads that read and parse the scan's files (src/scan/parse-worker.ts) while the main thread
// merges by time and runs the detector: on a 2-core machine that splits a scan about in half. Each
// rotation chain stays one input of the merge, in the same order, so the merge sees exactly the
// batches `chainEvents` would give in the main thread and the report is the same (test/scan-workers.test.ts).
// Flow control is per chain: the main thread asks for one batch each time it takes one, with a few asked
// ahead, so memory stays bounded however far ahead the workers could run. A worker that fails to start
// leaves its chains to the main thread.
import { Worker } from 'node:worker_threads'
import { chainEvents, type FileScanOptions, type Shared } from './file-events.js'
import type { InputIssue } from './walk.js'
import type { ScannedFile } from './model.js'
import type { ParseResult } from '../types.js'

/** What a worker reports of each file of a chain (the fields `fileEvents` updates). */
export type FileCounters = Pick<ScannedFile, 'bytes' | 'lines' | 'events' | 'unparsed' | 'firstMs' | 'lastMs' | 'status' | 'recordNodes'>

/** The file options a worker can be given (functions and signals stay in the main thread). */
export type WorkerFileOptions = Pick<FileScanOptions, 'sinceMs' | 'untilMs' | 'sniffLines' | 'maxLineBytes' | 'forwardAll' | 'prefilter'>

export type ChainFiles = Array<ScannedFile & { explicit: boolean }>

export interface WorkerInit {
  options: WorkerFileOptions
  chains: Array<{ id: number; files: ChainFiles }>
}

/** One answer of a worker: the next batch of chain `id` (empty for a read chunk with nothing kept). */
export interface FromWorker {
  id: number
  items: ParseResult[]
  /** The chain has ended (no items with it). */
  done: boolean
  /** Counters of every file of the chain, in chain order. */
  files: FileCounters[]
  /** Issues of the chain's files since the last answer. */
  issues: InputIssue[]
  /** Read by the worker since its last answer (for the progress line and the totals). */
  bytesRead: number
  lines: number
  outsideWindow: number
}

/** Batches asked for ahead, per chain. */
const AHEAD = 3

export interface ParsePool {
  /** One input per chain, in the order given. */
  inputs: Array<AsyncIterable<ParseResult[]>>
  /** Number of workers that started (the others' chains run in the main thread). */
  started: () => Promise<number>
  /** Stops the workers (when the merge is done, or stopped early). */
  close: () => Promise<void>
}

interface Lane {
  queue: FromWorker[]
  wake: (() => void) | null
}

interface Remote {
  worker: Worker | null
  ready: Promise<boolean>
  failed: unknown
  lanes: Map<number, Lane>
}

/** A worker, or null when none can be started here (its chains then run in the main thread). */
function createWorker (init: WorkerInit): Worker | null {
  try {
    if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./parse-worker.js', import.meta.url), { workerData: init })
    // run from TypeScript sources (tests, benches): a worker does not inherit the main thread's loader
    // hooks, so it registers tsx (a dev dependency) before loading its TypeScript entry
    const entry = new URL('./parse-worker.ts', import.meta.url).href
    const tsx = import.meta.resolve('tsx/esm/api')
    const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}) })`
    return new Worker(code, { eval: true, workerData: init })
  } catch {
    return null
  }
}

/**
 * Starts `workers` workers (≥ 1) over `chains` (round robin) and returns one input per chain. Counters,
 * issues and progress arrive into `shared`, the chains' files and `issues` as the batches do.
 */
export function startParsePool (chains: ChainFiles[], workers: number, options: FileScanOptions, shared: Shared, issues: InputIssue[]): ParsePool {
  const n = Math.max(1, Math.min(workers, chains.length))
  const wopts: WorkerFileOptions = {}
  if (options.sinceMs !== undefined) wopts.sinceMs = options.sinceMs
  if (options.untilMs !== undefined) wopts.untilMs = options.untilMs
  if (options.sniffLines !== undefined) wopts.sniffLines = options.sniffLines
  if (options.maxLineBytes !== undefined) wopts.maxLineBytes = options.maxLineBytes
  if (options.forwardAll !== undefined) wopts.forwardAll = options.forwardAll
  if (options.prefilter !== undefined) wopts.prefilter = options.prefilter
  let closed = false
  const remotes: Remote[] = []
  for (let w = 0; w < n; w++) {
    const mine = chains.map((files, id) => ({ id, files })).filter((c) => c.id % n === w)
    const init: WorkerInit = { options: wopts, chains: mine }
    const worker = createWorker(init)
    let setReady: (ok: boolean) => void = () => {}
    const remote: Remote = { worker, ready: new Promise((resolve) => { setReady = resolve }), failed: undefined, lanes: new Map() }
    remotes.push(remote)
    if (worker === null) {
      setReady(false)
      continue
    }
    for (const c of mine) remote.lanes.set(c.id, { queue: [], wake: null })
    let isReady = false
    const fail = (err: unknown): void => {
      if (!isReady) { setReady(false); return }
      if (closed) return
      remote.failed ??= err
      for (const l of remote.lanes.values()) l.wake?.()
    }
    worker.on('message', (m: FromWorker | 'ready') => {
      if (m === 'ready') { isReady = true; setReady(true); return }
      const files = chains[m.id] as ChainFiles
      m.files.forEach((c, i) => { Object.assign(files[i] as ScannedFile, c) })
      shared.bytesRead += m.bytesRead
      shared.lines += m.lines
      shared.outsideWindow += m.outsideWindow
      if (m.bytesRead > 0) options.onProgress?.(shared.bytesRead, shared.lines)
      const lane = remote.lanes.get(m.id)
      if (lane === undefined) return
      lane.queue.push(m)
      lane.wake?.()
    })
    worker.on('error', fail)
    worker.on('exit', (code) => { fail(new Error(`scan parse worker exited with code ${code}`)) })
  }

  async function * lane (id: number): AsyncGenerator<ParseResult[]> {
    const remote = remotes[id % n] as Remote
    const files = chains[id] as ChainFiles
    if (!(await remote.ready)) {
      yield * chainEvents(files, options, shared, issues)
      return
    }
    const st = remote.lanes.get(id) as Lane
    const worker = remote.worker as Worker
    for (let i = 0; i < AHEAD; i++) worker.postMessage({ id })
    for (;;) {
      while (st.queue.length === 0) {
        if (remote.failed !== undefined) throw remote.failed
        await new Promise<void>((resolve) => { st.wake = resolve })
        st.wake = null
      }
      const m = st.queue.shift() as FromWorker
      for (const i of m.issues) issues.push(i)
      if (m.done) return
      worker.postMessage({ id })
      yield m.items
    }
  }

  return {
    inputs: chains.map((_, id) => lane(id)),
    started: async () => (await Promise.all(remotes.map(async (r) => await r.ready))).filter(Boolean).length,
    close: async () => {
      closed = true
      await Promise.all(remotes.map(async (r) => { await r.worker?.terminate() }))
    }
  }
}
