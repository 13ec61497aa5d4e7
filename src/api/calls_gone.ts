/**
 * The removed call and log APIs (`api-v2.md` §6.5): 410 Gone, empty body, no
 * Content-Type, as Fn answers.
 *
 * @module
 */

/** Answers 410 Gone. */
export function callsGone(): Promise<Response> {
  return Promise.resolve(new Response(null, { status: 410 }));
}
