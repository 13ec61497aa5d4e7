/**
 * The http-stream protocol (`agent.md` §1.5–1.10): one `POST /call` per call over the
 * container's Unix socket. Each container gets one client, made once its socket is ready
 * and closed with it, that keeps at most one connection, idle for at most 1 s (§1.9).
 * The exchange itself and Fn's outcomes (§1.7) are in `http_stream_call.ts`.
 *
 * The client speaks HTTP/1.1 itself (`_http1_*.ts`, `_request_upload.ts`) over a
 * `node:net` socket (`_uds_connection.ts`). Not `fetch`: with a Unix-socket
 * `Deno.createHttpClient` proxy it writes the absolute-form request line
 * `POST http://localhost/call`, which fdk-node rejects with 400 `Invalid method`. Not
 * `node:http`: its client machinery cost ~2× the per-call overhead and let a 20 MiB
 * transfer grow RSS by more than its size.
 *
 * @module
 */

import type { Logger } from "../../log.ts";
import type { Dispatch, DispatchRequest } from "../container.ts";
import { UdsPool } from "./_uds_pool.ts";
import { DispatchSettler } from "./dispatch_settler.ts";
import { HttpStreamCall } from "./http_stream_call.ts";

/** Go's default response-header limit, used when `FN_MAX_HDR_RESPONSE_SIZE` is 0. */
export const DEFAULT_MAX_RESPONSE_HEADER_BYTES = 10 * 1024 * 1024;

/** Options for {@linkcode HttpStreamClient}. */
export interface HttpStreamOptions {
  /** `<iofs dir>/lsnr.sock` as fnd sees it. */
  readonly socketPath: string;
  /** 0 = 10 MiB. */
  readonly maxResponseHeaderBytes: number;
  readonly logger: Logger;
}

/** Talks http-stream to one container. */
export class HttpStreamClient {
  readonly #pool: UdsPool;
  readonly #maxResponseHeaderBytes: number;
  readonly #logger: Logger;

  constructor(options: HttpStreamOptions) {
    this.#pool = new UdsPool(options.socketPath);
    this.#maxResponseHeaderBytes = options.maxResponseHeaderBytes ||
      DEFAULT_MAX_RESPONSE_HEADER_BYTES;
    this.#logger = options.logger;
  }

  /** Sends one call; see {@linkcode Dispatch}. Never throws; failures settle the dispatch. */
  dispatch(request: DispatchRequest): Dispatch {
    const settler = new DispatchSettler();
    new HttpStreamCall(
      {
        pool: this.#pool,
        maxResponseHeaderBytes: this.#maxResponseHeaderBytes,
        logger: this.#logger,
      },
      request,
      settler,
    ).start();
    return settler;
  }

  /** Drops the kept-alive connection; later calls fail with 502. */
  close(): void {
    this.#pool.close();
  }
}
