/**
 * Datastore contract, sizes: the largest annotation map the rules allow (`api-v2.md`
 * §4.2) and configs far beyond 64 KiB (Fn sets no limit on config, §3.5) are stored and
 * read back unchanged on every dialect, by insert and by update.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ANNOTATION_LIMITS, validateNewAnnotations } from "../models/annotations.ts";
import type { Annotations, Config } from "../models/app.ts";
import { type Harness, makeApp, makeFn, makeTrigger } from "./_contract_fixtures.ts";
import { encodeMap } from "./row_mapping.ts";

const utf8 = new TextEncoder();

/**
 * 100 keys of 128 bytes, each value 512 bytes of JSON: every limit at its maximum. The
 * keys are mostly `"` and `\`, which JSON escapes to two bytes each, so the stored text
 * (~77 KB) is the largest a valid map can take.
 */
export function largestAnnotations(): Annotations {
  const { maxKeys, maxKeyBytes, maxValueBytes } = ANNOTATION_LIMITS;
  const annotations: Record<string, unknown> = {};
  for (let i = 0; i < maxKeys; i++) {
    const prefix = String(i).padStart(3, "0");
    const key = prefix + '"\\'.repeat(maxKeyBytes).slice(0, maxKeyBytes - prefix.length);
    // Strings lose 2 bytes to their quotes; `"` costs 2 bytes as `\"`.
    annotations[key] = i % 2 === 0
      ? "x".repeat(maxValueBytes - 2)
      : '"'.repeat((maxValueBytes - 2) / 2);
  }
  return annotations;
}

/** A config of about 3 MiB: one big value (multi-byte characters included) and many keys. */
export function largeConfig(): Config {
  const config: Record<string, string> = { big: "é0123456789".repeat(256 * 1024) };
  for (let i = 0; i < 2000; i++) config[`KEY_${i}`] = `value ${i}`;
  return config;
}

/** Runs the size cases as steps of `t`. */
export async function sizeContract(t: Deno.TestContext, h: Harness): Promise<void> {
  const annotations = largestAnnotations();
  const config = largeConfig();

  await t.step("the size fixtures are valid and larger than MySQL's 64 KiB text", () => {
    assert.deepEqual(validateNewAnnotations(annotations), annotations);
    assert.ok(utf8.encode(encodeMap(annotations)).length > 76_000);
    assert.ok(utf8.encode(encodeMap(config)).length > 3_000_000);
  });

  await t.step("insert*() stores the largest valid annotations and a 3 MiB config", async () => {
    await using ds = await h.fresh();
    const app = makeApp("a", { config, annotations });
    assert.deepEqual(await ds.insertApp(app), app);
    assert.deepEqual(await ds.getAppById(app.id), app);
    const fn = makeFn(app.id, "f", { config, annotations });
    assert.deepEqual(await ds.insertFn(fn), fn);
    assert.deepEqual(await ds.getFnById(fn.id), fn);
    const trigger = makeTrigger(fn, "t", "/t", { annotations });
    assert.deepEqual(await ds.insertTrigger(trigger), trigger);
    assert.deepEqual(await ds.getTriggerById(trigger.id), trigger);
  });

  await t.step("update*() stores the largest valid annotations and a 3 MiB config", async () => {
    await using ds = await h.fresh();
    const app = await ds.insertApp(makeApp("a"));
    const fn = await ds.insertFn(makeFn(app.id, "f"));
    const trigger = await ds.insertTrigger(makeTrigger(fn, "t", "/t"));
    const big = { config, annotations };
    assert.deepEqual(await ds.updateApp(app.id, (x) => ({ ...x, ...big })), { ...app, ...big });
    assert.deepEqual((await ds.getAppById(app.id)).config, config);
    assert.deepEqual(await ds.updateFn(fn.id, (x) => ({ ...x, ...big })), { ...fn, ...big });
    assert.deepEqual((await ds.getFnById(fn.id)).annotations, annotations);
    const updated = await ds.updateTrigger(trigger.id, (x) => ({ ...x, annotations }));
    assert.deepEqual(updated, { ...trigger, annotations });
    assert.deepEqual((await ds.getTriggerById(trigger.id)).annotations, annotations);
  });
}
