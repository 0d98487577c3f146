// Glue between serve and the Forward protocol adapter (src/adapters/forward/).
import { StormError } from '../errors.js'
import type { AlertOutput, InputAdapter, RecordSink } from './contracts.js'
import type { ServeConfig } from './config.js'
import type { Endpoint } from './endpoints.js'
import type { Logger } from './log.js'

type ForwardEndpoint = Extract<Endpoint, { scheme: 'forward' }>

export async function startForwardInput (e: ForwardEndpoint, _cfg: ServeConfig, _sink: RecordSink, _log: Logger, name: string): Promise<InputAdapter> {
  throw new StormError('E_USAGE', `${name}: the Forward input is not available in this build`)
}

export async function createForwardOutputAdapter (e: ForwardEndpoint, _cfg: ServeConfig, _log: Logger, name: string): Promise<AlertOutput> {
  throw new StormError('E_USAGE', `${name}: the Forward output is not available in this build`)
}
