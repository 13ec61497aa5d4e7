/**
 * Counting in-flight HTTP requests so shutdown can wait for them.
 *
 * Deno's `HttpServer.shutdown()` makes the bodies of requests that are still being read
 * unreadable ("Cannot read body as underlying resource unavailable"), so fnd drains
 * first: new requests are refused with 503 and `Retry-After`, requests already in a
 * handler run to the end, and only then is the server shut down (which still lets
 * response bodies finish streaming).
 *
 * @module
 */

import { serverTooBusy } from "./models/api_error.ts";
import { errorResponse } from "./api/error_response.ts";
import type { Logger } from "./log.ts";

/** Tracks requests inside a handler and refuses new ones once draining. */
export class InFlightRequests {
  #count = 0;
  #draining = false;
  #idle: PromiseWithResolvers<void> | undefined;
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Requests currently inside the handler. */
  get count(): number {
    return this.#count;
  }

  /** Wraps `handler` so its requests are counted and refused while draining. */
  wrap(handler: (req: Request) => Promise<Response>): (req: Request) => Promise<Response> {
    return async (req) => {
      if (this.#draining) {
        const res = errorResponse(serverTooBusy(), this.#log);
        res.headers.set("connection", "close");
        return res;
      }
      this.#count++;
      try {
        return await handler(req);
      } finally {
        this.#count--;
        if (this.#count === 0) this.#idle?.resolve();
      }
    };
  }

  /**
   * Starts refusing new requests and resolves `true` once none is in flight, or `false`
   * when `timeoutMs` passes first.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.#draining = true;
    if (this.#count === 0) return true;
    this.#idle ??= Promise.withResolvers<void>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([this.#idle.promise.then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
