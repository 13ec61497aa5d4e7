/**
 * Test helper: request bodies made on the fly, so large uploads need no memory of their size.
 *
 * @module
 */

/**
 * A chunked body (no declared length) of `size` bytes of `fill`, `chunkBytes` at a time;
 * each chunk is a fresh copy, so a consumer may keep or transfer it.
 */
export function generatedBody(
  size: number,
  chunkBytes = 64 * 1024,
  fill = 120,
): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(chunkBytes).fill(fill);
  let left = size;
  return new ReadableStream({
    pull(controller) {
      if (left <= 0) return controller.close();
      const n = Math.min(left, chunk.byteLength);
      left -= n;
      controller.enqueue(chunk.slice(0, n));
    },
  });
}
