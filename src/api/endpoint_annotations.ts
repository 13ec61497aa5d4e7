/**
 * Server-added annotations (`api-v2.md` §7): where a fn can be invoked and where an
 * HTTP trigger answers. Added on create, get and list responses; never stored, never
 * counted against the 100-key limit, and they overwrite a client's value for the key.
 *
 * @module
 */

import type { Annotations } from "../models/app.ts";
import type { Fn } from "../models/fn.ts";
import { type Trigger, TRIGGER_TYPE_HTTP } from "../models/trigger.ts";

/** Annotation key of a fn's invoke URL. */
export const INVOKE_ENDPOINT_KEY = "fnproject.io/fn/invokeEndpoint";
/** Annotation key of an HTTP trigger's URL. */
export const HTTP_ENDPOINT_KEY = "fnproject.io/trigger/httpEndpoint";

/**
 * The base URL of the endpoints: `FN_PUBLIC_LB_URL` without one trailing `/`, or the
 * request's scheme and `Host` header (X-Forwarded-* are ignored, as in Fn).
 */
export function endpointBase(req: Request, publicLbUrl: string): string {
  if (publicLbUrl !== "") return publicLbUrl.endsWith("/") ? publicLbUrl.slice(0, -1) : publicLbUrl;
  const url = new URL(req.url);
  return `${url.protocol}//${req.headers.get("host") ?? url.host}`;
}

/** A fn's annotations plus its invoke endpoint `<base>/invoke/<fnID>`. */
export function withInvokeEndpoint(fn: Fn, base: string): Annotations {
  return { ...fn.annotations, [INVOKE_ENDPOINT_KEY]: `${base}/invoke/${fn.id}` };
}

/**
 * A trigger's annotations plus, for HTTP triggers, `<base>/t/<appName>/<source>`
 * (source without its leading `/`; neither part is escaped, as in Fn).
 */
export function withHttpEndpoint(trigger: Trigger, appName: string, base: string): Annotations {
  if (trigger.type !== TRIGGER_TYPE_HTTP) return trigger.annotations;
  const source = trigger.source.startsWith("/") ? trigger.source.slice(1) : trigger.source;
  return { ...trigger.annotations, [HTTP_ENDPOINT_KEY]: `${base}/t/${appName}/${source}` };
}
