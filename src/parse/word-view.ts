// The memory of a read chunk as 32-bit words, so byte checks (prefilter, line parser) can look at four bytes at
// a time. Lines of one chunk share the chunk's ArrayBuffer: the view is made once per chunk, not per line, and
// keeps that one chunk alive until the next.

export interface WordView {
  of: ArrayBufferLike | undefined
  words: Uint32Array<ArrayBufferLike>
}

export function createWordView (): WordView {
  return { of: undefined, words: new Uint32Array(0) }
}

/** The words of `buf`'s whole ArrayBuffer (index them from `(buf.byteOffset + i) >>> 2`). */
export function wordsOf (view: WordView, buf: Uint8Array): Uint32Array<ArrayBufferLike> {
  const ab = buf.buffer
  if (ab !== view.of) {
    view.of = ab
    view.words = new Uint32Array(ab, 0, ab.byteLength >>> 2)
  }
  return view.words
}
