// One physical line → one event or Unparsed, with no state. The stateful `createLineParser` adds what
// needs neighbours: joining CRI partials and attaching §1.7 continuation lines.
import { isUtf8 } from 'node:buffer'
import type { ParseResult, Source, Unparsed } from '../types.js'
import { DEFAULT_MAX_LINE_BYTES, LINE_ISSUE_HEAD_BYTES } from './read-lines.js'
import { DEFAULT_MAX_UNPARSED_TEXT_BYTES, makeUnparsed, resultFromUnwrapped, unwrapLine, vlogFor, type UnwrapOptions } from './unwrap.js'

export type ParseLineOptions = UnwrapOptions

/** The source an Unparsed gets when the line failed before any wrapper was read. */
export function defaultSource (options: ParseLineOptions): Source {
  return { ...options.source, wrapper: 'bare' }
}

// C0 controls other than tab, CR, LF and ESC (ANSI colours), and DEL
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]/g

/** Too many control characters for a log line: more than 8, or over 10 % of the line. */
function looksBinary (text: string): boolean {
  CONTROL_RE.lastIndex = 0
  if (!CONTROL_RE.test(text)) return false
  if (text.includes('\u0000')) return true
  const n = text.match(CONTROL_RE)?.length ?? 0
  return n > 8 || n * 10 > text.length
}

/**
 * Screens one line before unwrapping: strips a trailing CR and a leading run of NUL bytes (the zeroed
 * tail a crash leaves in a log file, after which a real line often follows), and turns what cannot be a
 * log line into an Unparsed:
 * - `binary`: NUL bytes inside the line, or many control characters (more than 8 or over 10 %);
 * - `invalid-utf8`: bytes that are not UTF-8. Such a line is not parsed (a mangled port name would be a
 *   wrong claim); its text is kept, decoded with U+FFFD replacements, for the report;
 * - `too-long`: over `maxLineBytes`.
 */
export function screenLine (line: string | Buffer, options: ParseLineOptions, maxTextBytes: number): string | Unparsed {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
  if (typeof line === 'string') {
    const bytes = line.length <= maxLineBytes / 3 ? line.length : Buffer.byteLength(line, 'utf8')
    if (bytes > maxLineBytes) {
      return makeUnparsed('too-long', line.slice(0, LINE_ISSUE_HEAD_BYTES), defaultSource(options), maxTextBytes,
        `line of ${bytes} bytes is longer than maxLineBytes (${maxLineBytes})`, bytes)
    }
    let text = line.endsWith('\r') ? line.slice(0, -1) : line
    if (text.charCodeAt(0) === 0) text = text.replace(/^\u0000+/, '')
    if (looksBinary(text)) return makeUnparsed('binary', text, defaultSource(options), maxTextBytes, 'control characters or NUL bytes in the line', Buffer.byteLength(line, 'utf8'))
    return text
  }
  const bytes = line.length
  if (bytes > maxLineBytes) {
    return makeUnparsed('too-long', line.subarray(0, LINE_ISSUE_HEAD_BYTES).toString('utf8'), defaultSource(options), maxTextBytes,
      `line of ${bytes} bytes is longer than maxLineBytes (${maxLineBytes})`, bytes)
  }
  let buf = line
  if (buf.length > 0 && buf[buf.length - 1] === 13) buf = buf.subarray(0, -1)
  if (buf.length > 0 && buf[0] === 0) {
    let start = 0
    while (start < buf.length && buf[start] === 0) start++
    buf = buf.subarray(start)
  }
  const text = buf.toString('utf8')
  if (!isUtf8(buf)) {
    const bad = (text.match(/\uFFFD/g)?.length ?? 0)
    const code = looksBinary(text) || bad * 10 > text.length ? 'binary' : 'invalid-utf8'
    return makeUnparsed(code, text, defaultSource(options), maxTextBytes,
      code === 'binary' ? 'binary data: not UTF-8 text' : `${bad} invalid UTF-8 sequence(s); the line is not parsed`, bytes)
  }
  if (looksBinary(text)) return makeUnparsed('binary', text, defaultSource(options), maxTextBytes, 'control characters or NUL bytes in the line', bytes)
  return text
}

/**
 * Parses one physical line (no `\n`) in any supported wrapper. Stateless: a CRI `P` (partial) line is
 * parsed as-is, as if it were complete (`createLineParser` joins partials), and an indented
 * continuation line (§1.7) comes back as whatever it is on its own, usually `not-vlog`. A record whose
 * message holds embedded newlines (a shipper's multi-line record) gets the extra lines as `continuation`.
 * Never throws.
 */
export function parseLine (line: string, options: ParseLineOptions = {}): ParseResult {
  const maxText = options.maxUnparsedTextBytes ?? DEFAULT_MAX_UNPARSED_TEXT_BYTES
  try {
    const text = screenLine(line, options, maxText)
    if (typeof text !== 'string') return text
    return resultFromUnwrapped(unwrapLine(text, options), vlogFor(options))
  } catch (err) {
    return internalError(line, options, maxText, err)
  }
}

/** A bug must not stop a stream: the line becomes data, with the error in `detail`. */
export function internalError (line: string | Buffer, options: ParseLineOptions, maxText: number, err: unknown): Unparsed {
  const text = typeof line === 'string' ? line : line.subarray(0, LINE_ISSUE_HEAD_BYTES).toString('utf8')
  return makeUnparsed('not-vlog', text, defaultSource(options), maxText,
    `internal error: ${err instanceof Error ? err.message : String(err)}`, typeof line === 'string' ? Buffer.byteLength(line, 'utf8') : line.length)
}
