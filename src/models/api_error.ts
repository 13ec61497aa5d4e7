/**
 * The one error type that crosses layers with a status a client should see.
 *
 * Anything thrown that is not an `APIError` is a bug or an infrastructure fault; the
 * HTTP layer logs it with its stack and answers 500 `internal server error`.
 *
 * @module
 */

/** Who is to blame for an error, as Fn's metrics label it. */
export type ErrorBlame = "user" | "service";

/** Options for {@linkcode APIError}. */
export interface APIErrorOptions {
  /** Seconds a client should wait before retrying; sent as `Retry-After`. */
  readonly retryAfterSeconds?: number;
  /** `user` when the function (not fnd) caused it. @default {"service"} */
  readonly blame?: ErrorBlame;
  /** The underlying error, kept for logs only. */
  readonly cause?: unknown;
}

/** An error with an HTTP status and a message that is safe to show to clients. */
export class APIError extends Error {
  /** HTTP status code (4xx/5xx). */
  readonly status: number;
  /** Seconds for `Retry-After`, when the client should try again later. */
  readonly retryAfterSeconds: number | undefined;
  /** Whether the function or the platform caused it. */
  readonly blame: ErrorBlame;

  /**
   * @param status HTTP status code
   * @param message text shown to clients as `{"message": ...}`
   * @param options retry hint, blame and cause
   */
  constructor(status: number, message: string, options: APIErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "APIError";
    this.status = status;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.blame = options.blame ?? "service";
  }
}

/** Whether `err` is an {@linkcode APIError}. */
export function isAPIError(err: unknown): err is APIError {
  return err instanceof APIError;
}

/** Exact client-visible messages that several modules share (Fn's wording). */
export const messages = {
  appNotFound: "App not found",
  fnNotFound: "Fn not found",
  triggerNotFound: "Trigger not found",
  appAlreadyExists: "App already exists",
  fnAlreadyExists: "Fn with specified name already exists",
  triggerAlreadyExists: "Trigger already exists",
  triggerSourceExists: "Trigger with the same type and source exists on this app",
  fnNotOwnedByApp: "Invalid Fn ID - not owned by specified app",
  invalidJSON: "Invalid JSON",
  tooBusy: "Timed out - server too busy",
  timedOut: "Timed out",
  internal: "internal server error",
} as const;

/** 404 `App not found`. */
export function appNotFound(): APIError {
  return new APIError(404, messages.appNotFound);
}

/** 404 `Fn not found`. */
export function fnNotFound(): APIError {
  return new APIError(404, messages.fnNotFound);
}

/** 404 `Trigger not found`. */
export function triggerNotFound(): APIError {
  return new APIError(404, messages.triggerNotFound);
}

/** 503 `Timed out - server too busy` with `Retry-After: 15`, as Fn answers when full. */
export function serverTooBusy(cause?: unknown): APIError {
  return new APIError(503, messages.tooBusy, { retryAfterSeconds: 15, cause });
}
