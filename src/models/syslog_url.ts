/**
 * Validation of an app's `syslog_url` (Fn's `api-v2.md` §4.3 step 5): trimmed, parsed
 * as Go parses URLs, and the scheme must be one Fn's syslog writer supports.
 *
 * @module
 */

import { APIError } from "./api_error.ts";
import { goQuote } from "./_go_quote.ts";
import { GoUrlError, goUrlScheme } from "./_go_url.ts";

/** Schemes Fn accepts for syslog URLs. */
export const SYSLOG_SCHEMES = ["tcp", "udp", "unix", "unixgram", "tcp+tls"] as const;

/**
 * Checks a non-empty syslog URL; `raw` is quoted as sent in the message.
 *
 * @throws {APIError} 400 `invalid syslog url: "<raw>" invalid scheme, only [tcp, udp,
 *   unix, unixgram, tcp+tls] are supported`, or `invalid syslog url: "<raw>" <parse error>`
 */
export function validateSyslogUrl(raw: string): void {
  let scheme: string;
  try {
    scheme = goUrlScheme(raw.trim());
  } catch (err) {
    if (!(err instanceof GoUrlError)) throw err;
    throw new APIError(400, `invalid syslog url: ${goQuote(raw)} ${err.message}`);
  }
  if (!(SYSLOG_SCHEMES as readonly string[]).includes(scheme)) {
    throw new APIError(
      400,
      `invalid syslog url: ${
        goQuote(raw)
      } invalid scheme, only [tcp, udp, unix, unixgram, tcp+tls] are supported`,
    );
  }
}
