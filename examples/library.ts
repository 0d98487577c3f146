// Programmatic use of the core: read each node's log, merge the nodes by event time, detect, and
// print alert records. `claimstorm scan` does the same with walking, attribution and a report.
// Run: node --import tsx examples/library.ts examples/sample/gw1/ovn-controller.log examples/sample/gw3/ovn-controller.log …
import { basename, dirname } from 'node:path'
import {
  createDetector, createLineParser, mergeByTime, openLines, serializeAlert, toAlertRecord
} from '../src/index.js'
import type { AlertRecord, ParseResult } from '../src/index.js'

/** One file's parse results; the node is the directory the file sits in (gw1/ovn-controller.log). */
async function * parseFile (path: string): AsyncIterable<ParseResult> {
  const parser = createLineParser({ source: { node: basename(dirname(path)), file: path } })
  for await (const line of openLines(path)) {
    // a line the reader could not take (too long, binary…) comes as an issue; the parser makes it an Unparsed
    yield * parser.push(line)
  }
  yield * parser.flush()
}

/** Every alert record the detector raises over the given files, in event-time order. */
export async function detect (paths: string[]): Promise<AlertRecord[]> {
  const detector = createDetector()
  const records: AlertRecord[] = []
  for await (const result of mergeByTime(paths.map(parseFile))) {
    for (const signal of detector.push(result)) records.push(toAlertRecord(signal))
  }
  for (const signal of detector.flush()) records.push(toAlertRecord(signal))
  return records
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const record of await detect(process.argv.slice(2))) process.stdout.write(serializeAlert(record) + '\n')
}
