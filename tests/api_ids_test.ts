/**
 * Ids minted by fnd processes: two processes on one host with FN_PORT=0 and one
 * database get different machine ids (the ports they bound), so their ids cannot clash.
 */

import assert from "node:assert/strict";
import { client } from "./_http.ts";
import { startFnd } from "./_server.ts";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** The 48-bit machine id inside an id (`api-v2.md` §2). */
function machineIdOf(id: string): bigint {
  const bits = [...id].reduce((acc, c) => (acc << 5n) | BigInt(ALPHABET.indexOf(c)), 0n);
  return (bits >> 32n) & ((1n << 48n) - 1n);
}

Deno.test("fnd with FN_PORT=0 mints ids with the port it bound in the machine id", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fnd-ids-" });
  try {
    const env = { FN_NODE_TYPE: "api", FN_PORT: "0", FN_DB_URL: `sqlite3://${dir}/fn.db` };
    await using one = await startFnd({ env });
    await using two = await startFnd({ env });
    const ids: bigint[] = [];
    for (const [fnd, name] of [[one, "from-one"], [two, "from-two"]] as const) {
      const res = await client(fnd.url).post("/v2/apps", { name });
      assert.equal(res.status, 200, res.text);
      const machineId = machineIdOf(res.json.id);
      assert.equal(machineId & 0xffffn, BigInt(fnd.port), `${name}: ${res.json.id}`);
      ids.push(machineId);
    }
    assert.notEqual(ids[0], ids[1]);
    const listed = await client(one.url).get("/v2/apps");
    assert.deepEqual(listed.json.items.map((a: { name: string }) => a.name), [
      "from-one",
      "from-two",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
