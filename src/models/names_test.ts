import { assertAPIError } from "./_assert_api_error.ts";
import { validateAppName, validateFnName, validateTriggerName } from "./names.ts";

Deno.test("validateAppName() accepts unicode letters, numbers, _ and -", () => {
  for (const name of ["a", "ünï_-3", "日本", "Ⅻ", "x".repeat(255), "é".repeat(127)]) {
    validateAppName(name);
  }
});

Deno.test("validateAppName() rejects with Fn's messages", async (t) => {
  await t.step(
    "Missing Name",
    () => assertAPIError(() => validateAppName(""), 400, "Missing Name"),
  );
  await t.step("App name must be 255 characters or less", () => {
    assertAPIError(
      () => validateAppName("x".repeat(256)),
      400,
      "App name must be 255 characters or less",
    );
    // 128 two-byte characters are 256 bytes.
    assertAPIError(
      () => validateAppName("é".repeat(128)),
      400,
      "App name must be 255 characters or less",
    );
  });
  await t.step("Invalid app name", () => {
    for (const bad of ["a b", "a.b", "a/b", "a!", "😀"]) {
      assertAPIError(() => validateAppName(bad), 400, "Invalid app name");
    }
  });
});

Deno.test("validateFnName() accepts the unescaped path-segment bytes", () => {
  validateFnName("Az09-_.~$&+:=@");
  validateFnName("f".repeat(255));
});

Deno.test("validateFnName() rejects with Fn's messages", async (t) => {
  await t.step(
    "Missing Fn name",
    () => assertAPIError(() => validateFnName(""), 400, "Missing Fn name"),
  );
  await t.step("Fn name must be 255 characters or less", () => {
    assertAPIError(
      () => validateFnName("f".repeat(256)),
      400,
      "Fn name must be 255 characters or less",
    );
  });
  await t.step("name must be a valid string", () => {
    for (const bad of ["a b", "a/b", "a!", "a*", "a(", "a%", "ü"]) {
      assertAPIError(() => validateFnName(bad), 400, "name must be a valid string");
    }
  });
});

Deno.test("validateTriggerName() rejects with Fn's messages", async (t) => {
  validateTriggerName("t_1-ü");
  await t.step("Missing name on Trigger", () => {
    assertAPIError(() => validateTriggerName(""), 400, "Missing name on Trigger");
  });
  await t.step("Trigger name must be 255 characters or less", () => {
    assertAPIError(
      () => validateTriggerName("t".repeat(256)),
      400,
      "Trigger name must be 255 characters or less",
    );
  });
  await t.step("Invalid name for Trigger", () => {
    assertAPIError(() => validateTriggerName("t.1"), 400, "Invalid name for Trigger");
  });
});
