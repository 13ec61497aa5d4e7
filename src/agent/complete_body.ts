/**
 * A response body that had arrived whole by the time its head was handed on: a small
 * answer that came in with its head. It streams like any other body, and it also
 * carries its bytes, so whoever passes it on can send them in one piece (a `Response`
 * of bytes needs no JavaScript stream pump in `Deno.serve`; a runner sends one frame).
 * Read the stream or take `bytes`, not both. Its call is already over: nothing waits
 * for the stream to be read or cancelled.
 *
 * @module
 */

/** A body received whole; see the module doc. */
export class CompleteBody extends ReadableStream<Uint8Array> {
  /** The whole body. */
  readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    super({
      pull(controller) {
        if (bytes.length > 0) controller.enqueue(bytes);
        controller.close();
      },
    }, { highWaterMark: 0 });
    this.bytes = bytes;
  }
}

/** The bytes of `body` when it is a {@linkcode CompleteBody}, else `body` itself. */
export function sendableBody(body: ReadableStream<Uint8Array> | null): BodyInit | null {
  // The bytes come from a socket read, never from shared memory.
  return body instanceof CompleteBody ? body.bytes as Uint8Array<ArrayBuffer> : body;
}
