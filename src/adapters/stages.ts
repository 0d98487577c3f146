// The real parse → detect → alert stages behind the pipeline's seams.
import type { PipelineStages } from '../pipeline.js'
import type { ParseResult } from '../types.js'
import type { ServeConfig } from './config.js'
import { detectorOverrides } from './config.js'
import { createRecordParser } from '../parse/unwrap.js'
import { createLineParser } from '../parse/line-parser.js'
import { createRecordSkim } from '../parse/record-skim.js'
import { createDetector } from '../detect/detector.js'
import type { DetectorOptions } from '../detect/options.js'
import { toAlertRecord } from '../alert/alert-record.js'
import { serializeAlert } from '../alert/serialize.js'
import type { AlertRecord } from '../alert/alert-record.js'

export type ServeStages = PipelineStages & { detectorEvictions: () => number }

/**
 * Objects (Forward / NDJSON / HTTP records) go through `parseRecord` with the configured keys; bare
 * string records (stdin lines, JSON strings) through one stateful line parser, which joins CRI
 * partials and attaches continuation lines.
 */
export function createDefaultStages (cfg: ServeConfig, referenceTimeMs: number = Date.now()): ServeStages {
  const keys = {
    ...(cfg.messageKey === undefined ? {} : { messageKey: cfg.messageKey }),
    ...(cfg.nodeKey === undefined ? {} : { nodeKey: cfg.nodeKey }),
    referenceTimeMs
  }
  const lines = createLineParser({ ...keys, maxLineBytes: cfg.maxLineBytes })
  const parseRecord = createRecordParser(keys)
  const detector = createDetector(detectorOverrides(cfg) as Partial<DetectorOptions>)
  return {
    parse (record): ParseResult[] {
      if (typeof record === 'string') return lines.push(record)
      return [parseRecord(record)]
    },
    parseObject: parseRecord,
    // the Forward input hands over noise records undecoded: parseRecord, same keys, would make ignored `vlog` events of them
    recordSkim: createRecordSkim(keys),
    flushParse: () => lines.flush(),
    detector,
    toAlert: (s) => toAlertRecord(s),
    serialize: (a) => serializeAlert(a as AlertRecord),
    detectorEvictions: () => {
      const ev = (detector.stats as unknown as { evictions?: unknown }).evictions
      if (typeof ev === 'number') return ev
      if (ev !== null && typeof ev === 'object') return Object.values(ev).reduce<number>((n, v) => n + (typeof v === 'number' ? v : 0), 0)
      return 0
    }
  }
}
