/**
 * RFC 5424 syslog messages and their framing: one message per datagram on UDP
 * (RFC 5426), octet counting (`<length> <message>`, RFC 6587 / RFC 5425) on stream
 * transports.
 *
 * ```
 * <14>1 2026-11-22T12:45:17.255Z host fnd - stdout [fnd@32473 app_id="..." fn_id="..." call_id="..."] hello
 * ```
 *
 * @module
 */

/** Facility `user` (1), as Docker's syslog driver and Fn use. */
export const FACILITY_USER = 1;

/** Severities used: `info` for stdout, `err` for stderr. */
export const SEVERITY = { err: 3, warning: 4, info: 6 } as const;

/** The SD-ID of fnd's structured data (private enterprise number 32473, for examples). */
export const SD_ID = "fnd@32473";

/** The parts of one message. */
export interface SyslogMessage {
  readonly severity: number;
  readonly timestamp: Date;
  /** HOSTNAME, at most 255 printable ASCII characters; "" = nil (`-`). */
  readonly hostname: string;
  /** APP-NAME, at most 48 characters; "" = nil. */
  readonly appName: string;
  /** MSGID, at most 32 characters; "" = nil. */
  readonly msgId: string;
  /** Parameters of the `fnd@32473` structured data element; empty = nil. */
  readonly params: readonly (readonly [string, string])[];
  readonly text: string;
}

/** Printable US-ASCII without spaces, cut to `max` characters; "" becomes `-`. */
function header(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, "_").slice(0, max);
  return clean === "" ? "-" : clean;
}

/** Escapes `"`, `\` and `]` in a PARAM-VALUE (RFC 5424 §6.3.3). */
export function escapeParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => "\\" + c);
}

/** Formats one message (without framing). */
export function formatSyslogMessage(m: SyslogMessage): string {
  const pri = FACILITY_USER * 8 + m.severity;
  const sd = m.params.length === 0
    ? "-"
    : `[${SD_ID}${
      m.params.map(([k, v]) => ` ${header(k, 32)}="${escapeParamValue(v)}"`).join("")
    }]`;
  const head = `<${pri}>1 ${m.timestamp.toISOString()} ${header(m.hostname, 255)} ` +
    `${header(m.appName, 48)} - ${header(m.msgId, 32)} ${sd}`;
  return m.text === "" ? head : `${head} ${m.text}`;
}

const encoder = new TextEncoder();

/** `<octets> <message>`, the octet-counting frame of stream transports. */
export function octetCountingFrame(message: string): Uint8Array {
  const body = encoder.encode(message);
  const prefix = encoder.encode(`${body.length} `);
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix);
  out.set(body, prefix.length);
  return out;
}

/** Largest UDP payload sent; longer messages are cut (RFC 5426 allows that). */
export const MAX_DATAGRAM_BYTES = 65_000;

/** The message as one datagram, cut to {@linkcode MAX_DATAGRAM_BYTES}. */
export function datagram(message: string): Uint8Array {
  const bytes = encoder.encode(message);
  return bytes.length <= MAX_DATAGRAM_BYTES ? bytes : bytes.subarray(0, MAX_DATAGRAM_BYTES);
}
