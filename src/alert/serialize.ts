// The compiled alert serializer: built once from ALERT_SCHEMA when this module loads.
// Every string field goes through fast-json-stringify's escaping (never `format: 'unsafe'`):
// port and interface names come from log lines and are untrusted.
import build from 'fast-json-stringify'
import type { AlertRecord } from './alert-record.js'
import { ALERT_SCHEMA } from './schema.js'

// The schema is frozen; fast-json-stringify may annotate what it is given, so hand it a copy.
const stringify = build(structuredClone(ALERT_SCHEMA) as Parameters<typeof build>[0]) as (doc: AlertRecord) => string

/** One alert record as one line of JSON (no trailing newline). Fields outside ALERT_SCHEMA are dropped. */
export function serializeAlert (record: AlertRecord): string {
  return stringify(record)
}
