// A parse worker (worker thread): reads and parses the rotation chains it was given, exactly as the
// main thread would (`chainEvents`), one batch per request of the main thread (src/scan/parse-pool.ts),
// so it never runs more than a few batches ahead of the merge. Each answer carries the chain's file
// counters, the issues found since the last answer, and what the worker read since then.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { chainEvents, type Shared } from './file-events.js'
import type { InputIssue } from './walk.js'
import type { ParseResult, Source } from '../types.js'
import type { FileCounters, FromWorker, WorkerInit } from './parse-pool.js'

interface ChainState {
  files: WorkerInit['chains'][number]['files']
  gen: AsyncGenerator<ParseResult[]>
  issues: InputIssue[]
  done: boolean
}

function counters (f: ChainState['files'][number]): FileCounters {
  return { bytes: f.bytes, lines: f.lines, events: f.events, unparsed: f.unparsed, firstMs: f.firstMs, lastMs: f.lastMs, status: f.status, recordNodes: f.recordNodes }
}

if (parentPort === null) throw new Error('parse-worker.ts runs as a worker thread only')
const port: MessagePort = parentPort

function sameSource (a: Source, b: Source): boolean {
  let n = 0
  for (const k in a) {
    if (a[k as keyof Source] !== b[k as keyof Source]) return false
    n++
  }
  for (const _ in b) n--
  return n === 0
}

/**
 * Lets consecutive items with equal sources share one source object: the structured clone then
 * carries it once (the copy costs about half as much). Nothing downstream writes to a source.
 */
function shareSources (items: ParseResult[]): void {
  let prev: Source | undefined
  for (const r of items) {
    if (prev !== undefined && r.source !== prev && sameSource(prev, r.source)) (r as { source: Source }).source = prev
    else prev = r.source
  }
}
const init = workerData as WorkerInit
const shared: Shared = { bytesRead: 0, lines: 0, outsideWindow: 0 }
const sent: Shared = { bytesRead: 0, lines: 0, outsideWindow: 0 }
const chains = new Map<number, ChainState>()
for (const c of init.chains) {
  const issues: InputIssue[] = []
  chains.set(c.id, { files: c.files, gen: chainEvents(c.files, { ...init.options, yieldEmpty: true }, shared, issues), issues, done: false })
}

const queue: number[] = []
let running = false

async function run (): Promise<void> {
  running = true
  while (queue.length > 0) {
    const id = queue.shift() as number
    const c = chains.get(id)
    if (c === undefined) continue
    let items: ParseResult[] = []
    if (!c.done) {
      const r = await c.gen.next()
      if (r.done === true) c.done = true
      else {
        items = r.value
        shareSources(items)
      }
    }
    const msg: FromWorker = {
      id,
      items,
      done: c.done,
      files: c.files.map(counters),
      issues: c.issues.splice(0),
      bytesRead: shared.bytesRead - sent.bytesRead,
      lines: shared.lines - sent.lines,
      outsideWindow: shared.outsideWindow - sent.outsideWindow
    }
    sent.bytesRead = shared.bytesRead
    sent.lines = shared.lines
    sent.outsideWindow = shared.outsideWindow
    port.postMessage(msg)
  }
  running = false
}

port.on('message', (m: { id: number }) => {
  queue.push(m.id)
  if (!running) void run()
})
port.postMessage('ready')
