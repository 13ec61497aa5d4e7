import assert from "node:assert/strict";
import { checkSocket, InvalidSocketError, SocketWatch } from "./socket_watch.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "fnd-sock-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("SocketWatch.ready resolves when lsnr.sock appears through a relative symlink", async () => {
  await withDir(async (dir) => {
    using watch = new SocketWatch(dir);
    const listener = Deno.listen({ transport: "unix", path: `${dir}/lsnr.sock.tmp` });
    try {
      await Deno.symlink("lsnr.sock.tmp", `${dir}/lsnr.sock`);
      await watch.ready;
    } finally {
      listener.close();
    }
  });
});

Deno.test("SocketWatch.ready resolves at once when the socket is already there", async () => {
  await withDir(async (dir) => {
    const listener = Deno.listen({ transport: "unix", path: `${dir}/lsnr.sock` });
    try {
      using watch = new SocketWatch(dir);
      await watch.ready;
    } finally {
      listener.close();
    }
  });
});

Deno.test("checkSocket() rejects absolute symlinks and non-sockets", async (t) => {
  await withDir(async (dir) => {
    await t.step(
      "missing → not ready yet",
      async () => assert.equal(await checkSocket(dir), false),
    );
    await t.step("absolute symlink", async () => {
      await Deno.writeTextFile(`${dir}/target`, "x");
      await Deno.symlink(`${dir}/target`, `${dir}/lsnr.sock`);
      await assert.rejects(
        checkSocket(dir),
        (e: unknown) => e instanceof InvalidSocketError && /relative/.test(e.message),
      );
      await Deno.remove(`${dir}/lsnr.sock`);
    });
    await t.step("regular file", async () => {
      await Deno.writeTextFile(`${dir}/lsnr.sock`, "x");
      await assert.rejects(checkSocket(dir), /listener file is not a socket/);
    });
  });
});
