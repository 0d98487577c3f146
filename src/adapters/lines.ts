// Newline framing with a hard cap: never holds more than `maxLineBytes` of one line.
import { StringDecoder } from 'node:string_decoder'

export interface SplitResult {
  lines: string[]
  /** A line grew past the cap; its bytes up to the next newline are discarded. */
  overflow: number
}

export class LineSplitter {
  readonly maxLineBytes: number
  #parts: Buffer[] = []
  #held = 0
  #skipping = false

  constructor (maxLineBytes: number) {
    this.maxLineBytes = maxLineBytes
  }

  /** Bytes of the incomplete line held. */
  get held (): number { return this.#held }

  push (chunk: Buffer): SplitResult {
    const lines: string[] = []
    let overflow = 0
    let start = 0
    for (;;) {
      const nl = chunk.indexOf(0x0a, start)
      if (nl === -1) break
      if (this.#skipping) {
        this.#skipping = false
      } else {
        const piece = chunk.subarray(start, nl)
        if (this.#held + piece.length > this.maxLineBytes) {
          overflow++
        } else {
          lines.push(this.#take(piece))
        }
      }
      this.#parts = []
      this.#held = 0
      start = nl + 1
    }
    if (start < chunk.length && !this.#skipping) {
      const rest = chunk.subarray(start)
      if (this.#held + rest.length > this.maxLineBytes) {
        overflow++
        this.#skipping = true
        this.#parts = []
        this.#held = 0
      } else {
        this.#parts.push(Buffer.from(rest))
        this.#held += rest.length
      }
    }
    return { lines, overflow }
  }

  /** The last line when the stream ends without a newline. */
  end (): string | null {
    if (this.#skipping || this.#held === 0) return null
    const s = this.#take(Buffer.alloc(0))
    this.#parts = []
    this.#held = 0
    return s
  }

  #take (tail: Buffer): string {
    const buf = this.#parts.length === 0 ? tail : Buffer.concat([...this.#parts, tail])
    const end = buf.length > 0 && buf[buf.length - 1] === 0x0d ? buf.length - 1 : buf.length
    const d = new StringDecoder('utf8')
    return d.write(buf.subarray(0, end)) + d.end()
  }
}

/** A decoded NDJSON line: the record, or why it is malformed. Blank lines are skipped (null). */
export function decodeJsonLine (line: string): { ok: true; record: unknown } | { ok: false; error: string } | null {
  if (line.trim() === '') return null
  try {
    return { ok: true, record: JSON.parse(line) as unknown }
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) }
  }
}
