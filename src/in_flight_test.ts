import assert from "node:assert/strict";
import { InFlightRequests } from "./in_flight.ts";
import { log } from "./log.ts";

Deno.test("InFlightRequests.drain() waits for running requests and refuses new ones", async () => {
  const inFlight = new InFlightRequests(log);
  const release = Promise.withResolvers<void>();
  const handler = inFlight.wrap(async () => {
    await release.promise;
    return new Response("done");
  });
  const running = handler(new Request("http://x/"));
  assert.equal(inFlight.count, 1);
  const drained = inFlight.drain(60_000);
  const refused = await handler(new Request("http://x/"));
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get("retry-after"), "15");
  assert.deepEqual(await refused.json(), { message: "Timed out - server too busy" });
  release.resolve();
  assert.equal(await (await running).text(), "done");
  assert.equal(await drained, true);
  assert.equal(inFlight.count, 0);
});

Deno.test("InFlightRequests.drain() gives up after the timeout", async () => {
  const inFlight = new InFlightRequests(log);
  const never = Promise.withResolvers<void>();
  const handler = inFlight.wrap(async () => {
    await never.promise;
    return new Response();
  });
  const running = handler(new Request("http://x/"));
  assert.equal(await inFlight.drain(10), false);
  never.resolve();
  await running;
});

Deno.test("InFlightRequests.drain() resolves at once when idle", async () => {
  assert.equal(await new InFlightRequests(log).drain(60_000), true);
});
