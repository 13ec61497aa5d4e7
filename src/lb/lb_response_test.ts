import assert from "node:assert/strict";
import type { CallResponse } from "../agent/call.ts";
import { CompleteBody } from "../agent/complete_body.ts";
import { Logger } from "../log.ts";
import { APIError } from "../models/api_error.ts";
import { LbResponse, type LbResponseOptions } from "./lb_response.ts";

const log = new Logger({ level: 99, format: "text", sink: () => {} });
const hooks = { onCommit: () => {}, onBodyCancel: () => {}, onFinished: () => {} };

function response(options: LbResponseOptions = {}): LbResponse {
  return new LbResponse(hooks, log, options);
}

/** Whether `head` has settled by now (its reactions run before the probe's). */
function state(head: Promise<CallResponse>): Promise<"resolved" | "rejected" | "pending"> {
  return Promise.race([
    head.then(() => "resolved" as const, () => "rejected" as const),
    Promise.resolve().then(() => "pending" as const),
  ]);
}

const meta = (statusCode: number) => ({
  statusCode,
  headers: [{ key: "Content-Type", value: "x/y" }],
});

async function text(res: CallResponse): Promise<string> {
  return await new Response(res.body).text();
}

Deno.test("LbResponse holds the head until the call ends when the body is small", async () => {
  const r = response({ holdBytes: 10 });
  r.resultStart(meta(200));
  assert.equal(r.data(new TextEncoder().encode("0123456789")), undefined);
  assert.equal(await state(r.head), "pending");
  r.complete(undefined, "success");
  const head = await r.head;
  assert.deepEqual([head.status, head.headers.get("content-type")], [200, "x/y"]);
  assert.equal(await text(head), "0123456789");
});

Deno.test("LbResponse hands a whole held answer on as one piece of bytes", async () => {
  const r = response({ holdBytes: 10 });
  r.resultStart(meta(200));
  r.data(new TextEncoder().encode("01234"));
  r.data(new TextEncoder().encode("56789"));
  r.complete(undefined, "success");
  const head = await r.head;
  assert.ok(head.body instanceof CompleteBody, "a held answer needs no stream pump");
  assert.equal(new TextDecoder().decode(head.body.bytes), "0123456789");
});

Deno.test("LbResponse rejects the held head when the runner fails after partial output", async () => {
  const r = response();
  r.resultStart(meta(200));
  r.data(new Uint8Array(1000));
  const error = new APIError(502, "function response body too large", { blame: "user" });
  const outcome = r.complete(error, "error");
  assert.equal(await state(r.head), "rejected");
  await assert.rejects(r.head, (e) => e === error);
  assert.equal(outcome.error, error);
});

Deno.test("LbResponse streams once more than holdBytes arrived, held chunks first", async () => {
  const r = response({ holdBytes: 10 });
  r.resultStart(meta(201));
  r.data(new TextEncoder().encode("01234"));
  r.data(new TextEncoder().encode("56789"));
  assert.equal(await state(r.head), "pending");
  r.data(new TextEncoder().encode("A"));
  assert.equal(await state(r.head), "resolved");
  const head = await r.head;
  assert.equal(head.status, 201);
  r.data(new TextEncoder().encode("B"));
  const reader = head.body!.getReader();
  const seen: string[] = [];
  for (let i = 0; i < 4; i++) seen.push(new TextDecoder().decode((await reader.read()).value));
  assert.deepEqual(seen, ["01234", "56789", "A", "B"]);
  // Past the head, a failure can only break the body.
  r.complete(new APIError(504, "Timed out", { blame: "user" }), "timeout");
  await assert.rejects(reader.read());
});

Deno.test("LbResponse sends the head at once when holdBytes is 0 (detached 202)", async () => {
  const r = response({ holdBytes: 0 });
  r.resultStart({ statusCode: 202, headers: [] });
  assert.equal(await state(r.head), "resolved");
  assert.equal((await r.head).status, 202);
});

Deno.test("LbResponse answers 200 with an empty body when the runner sent neither head nor data", async () => {
  const r = response();
  r.complete(undefined, "success");
  const head = await r.head;
  assert.equal(head.status, 200);
  assert.equal(await text(head), "");
});
