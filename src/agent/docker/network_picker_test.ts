import assert from "node:assert/strict";
import { NetworkPicker } from "./network_picker.ts";

Deno.test("NetworkPicker.acquire() picks the least-used network and releases once", () => {
  const picker = new NetworkPicker(["a", "b"]);
  const first = picker.acquire();
  const second = picker.acquire();
  assert.deepEqual([first.network, second.network], ["a", "b"]);
  first[Symbol.dispose]();
  first[Symbol.dispose]();
  assert.equal(picker.acquire().network, "a");
  assert.deepEqual([...picker.usage()], [["a", 1], ["b", 1]]);
});

Deno.test("NetworkPicker.acquire() gives Docker's default when no networks are set", () => {
  assert.equal(new NetworkPicker([]).acquire().network, undefined);
});
