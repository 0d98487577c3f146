// One error class, thrown only at setup (bad options, bad config). Per-line failures are data (`Unparsed`), never errors.

export type StormErrorCode =
  | 'E_CONFIG'
  | 'E_USAGE'
  | 'E_INPUT'
  | 'E_GRAMMAR'
  | 'E_PROTOCOL'
  | 'E_IO'

export class StormError extends Error {
  readonly code: StormErrorCode
  constructor (code: StormErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StormError'
    this.code = code
  }
}

export function isStormError (value: unknown): value is StormError {
  return value instanceof StormError
}
