/**
 * Settles the two sides of a {@linkcode Dispatch} exactly once each, in the right order:
 * `response` first (resolve or reject), then `finished` (never rejects).
 *
 * @module
 */

import type { APIError } from "../../models/api_error.ts";
import type { Dispatch, DispatchOutcome, FunctionResponse } from "../container.ts";

/** The mutable side of one dispatch. */
export class DispatchSettler implements Dispatch {
  readonly response: Promise<FunctionResponse>;
  readonly finished: Promise<DispatchOutcome>;
  #resolveResponse!: (r: FunctionResponse) => void;
  #rejectResponse!: (e: APIError) => void;
  #resolveFinished!: (o: DispatchOutcome) => void;
  #responded = false;
  #finished = false;

  constructor() {
    this.response = new Promise((resolve, reject) => {
      this.#resolveResponse = resolve;
      this.#rejectResponse = reject;
    });
    // The caller awaits `response`; this keeps an early rejection from counting as unhandled.
    this.response.catch(() => {});
    this.finished = new Promise((resolve) => (this.#resolveFinished = resolve));
  }

  /** Whether `response` has settled. */
  get responded(): boolean {
    return this.#responded;
  }

  /** Whether `finished` has settled. */
  get isFinished(): boolean {
    return this.#finished;
  }

  /** Resolves `response` (ignored once settled). */
  respond(response: FunctionResponse): void {
    if (this.#responded) return;
    this.#responded = true;
    this.#resolveResponse(response);
  }

  /** Fails the call: rejects `response` if still open, then finishes with `error`. */
  fail(error: APIError, reusable: boolean): void {
    if (!this.#responded) {
      this.#responded = true;
      this.#rejectResponse(error);
    }
    this.finish({ reusable, error });
  }

  /** Settles `finished` (ignored once settled). */
  finish(outcome: DispatchOutcome): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#resolveFinished(outcome);
  }
}
