/**
 * Image handling against the real engine: pulls from a loopback `docker-registry`, pull
 * errors, VOLUME images, `FN_DOCKER_LOAD_FILE`, and the leftover-container cleanup.
 */

import assert from "node:assert/strict";
import Docker from "dockerode";
import { APIError } from "../src/models/api_error.ts";
import { newId } from "../src/models/id.ts";
import { createDockerLauncher } from "../src/agent/docker_launcher.ts";
import { buildContextImage } from "../src/images/build_context_image.ts";
import { ensureTestImages } from "./_images.ts";
import {
  call,
  containerExists,
  specFor,
  testConfig,
  textBody,
  withLauncher,
} from "./_container_helpers.ts";

const images = await ensureTestImages();
const launchSignal = () => AbortSignal.timeout(120_000);

/** A loopback registry on a free port; `close()` stops it and removes its storage. */
async function startRegistry(): Promise<{ host: string; close: () => Promise<void> }> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const dir = await Deno.makeTempDir({ prefix: "fnd-registry-" });
  await Deno.writeTextFile(
    `${dir}/config.yml`,
    `version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  const child = new Deno.Command("/usr/bin/docker-registry", {
    args: ["serve", `${dir}/config.yml`],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const close = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already exited */ }
    await child.status;
    await Deno.remove(dir, { recursive: true });
  };
  // Wait for the registry's own "listening on" log line (not a timer), then keep
  // draining its log so it never blocks on a full pipe.
  const lines = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("listening on")) {
    const { value, done } = await lines.read();
    if (done) {
      await close();
      throw new Error(`docker-registry exited before listening: ${seen}`);
    }
    seen += value;
  }
  (async () => {
    while (!(await lines.read()).done) { /* drain */ }
  })();
  return { host: `127.0.0.1:${port}`, close };
}

async function follow(docker: Docker, stream: NodeJS.ReadableStream): Promise<void> {
  const events = await new Promise<{ error?: string }[]>((resolve, reject) =>
    docker.modem.followProgress(
      stream,
      (err: Error | null, out: { error?: string }[]) => err ? reject(err) : resolve(out),
    )
  );
  const failed = events.find((e) => e.error);
  if (failed) throw new Error(failed.error);
}

async function removeImage(docker: Docker, tag: string): Promise<void> {
  await docker.getImage(tag).remove({ noprune: true }).catch(() => {});
}

Deno.test("launch() pulls a missing image from a loopback registry, and reports pull errors", async (t) => {
  const registry = await startRegistry();
  const repo = `${registry.host}/fnd-test/pulled`;
  const tag = `${repo}:${newId().toLowerCase()}`;
  try {
    await withLauncher(async (launcher) => {
      const docker = launcher.docker;
      await docker.getImage(images.hello).tag({ repo, tag: tag.slice(repo.length + 1) });
      await follow(
        docker,
        await docker.getImage(tag).push({ authconfig: { serveraddress: registry.host } }),
      );
      await removeImage(docker, tag);

      await t.step("a pushed image is pulled, once, for concurrent launches", async () => {
        const [a, b] = await Promise.all([
          launcher.launch(specFor(tag), launchSignal()),
          launcher.launch(specFor(tag), launchSignal()),
        ]);
        assert.equal((await call(a, { body: textBody("pulled") })).text, "Hello pulled");
        assert.equal((await call(b, { body: textBody("twice") })).text, "Hello twice");
        assert.ok((await docker.getImage(tag).inspect()).Id);
      });

      await t.step("an image the registry does not have gives Failed to pull image", async () => {
        const missing = `${registry.host}/fnd-test/nothing:1`;
        await assert.rejects(launcher.launch(specFor(missing), launchSignal()), (err: unknown) => {
          assert.ok(err instanceof APIError);
          assert.ok(err.status === 404 || err.status === 502, `status ${err.status}`);
          assert.ok(err.message.startsWith(`Failed to pull image '${missing}': `), err.message);
          return true;
        });
      });

      await t.step("an unreachable registry gives 502 Failed to pull image", async () => {
        const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        const port = (listener.addr as Deno.NetAddr).port;
        listener.close();
        const image = `127.0.0.1:${port}/nope/nothing:1`;
        await assert.rejects(launcher.launch(specFor(image), launchSignal()), (err: unknown) => {
          assert.ok(err instanceof APIError);
          assert.equal(err.status, 502);
          assert.ok(err.message.startsWith(`Failed to pull image '${image}': `), err.message);
          return true;
        });
      });
    });
  } finally {
    await removeImage(new Docker(), tag);
    await registry.close();
  }
});

Deno.test("launch() refuses an image with a VOLUME unless FN_IMAGE_ENABLE_VOLUME is set", async () => {
  const tag = `fnd-test/volume:${newId().toLowerCase()}`;
  const dir = await Deno.makeTempDir({ prefix: "fnd-volume-" });
  await withLauncher(async (launcher) => {
    try {
      await Deno.writeTextFile(`${dir}/Dockerfile`, `FROM ${images["bb-misc"]}\nVOLUME /data\n`);
      await buildContextImage(launcher.docker, dir, tag);
      await assert.rejects(launcher.launch(specFor(tag), launchSignal()), {
        status: 400,
        message: "image has Volume definition",
      });
    } finally {
      await removeImage(launcher.docker, tag);
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("createDockerLauncher() loads FN_DOCKER_LOAD_FILE before it serves", async () => {
  const tag = `fnd-test/loaded:${newId().toLowerCase()}`;
  const file = await Deno.makeTempFile({ suffix: ".tar" });
  await withLauncher(async (launcher) => {
    const docker = launcher.docker;
    try {
      const [repo, version] = tag.split(":") as [string, string];
      await docker.getImage(images["bb-misc"]).tag({ repo, tag: version });
      const saved = await docker.getImage(tag).get();
      const out = await Deno.open(file, { write: true, truncate: true });
      for await (const chunk of saved as AsyncIterable<Uint8Array>) await out.write(chunk);
      out.close();
      await removeImage(docker, tag);
      await assert.rejects(docker.getImage(tag).inspect());
      const loader = await createDockerLauncher(testConfig({ FN_DOCKER_LOAD_FILE: file }));
      await loader.close();
      assert.ok((await docker.getImage(tag).inspect()).Id);
      await assert.rejects(
        createDockerLauncher(testConfig({ FN_DOCKER_LOAD_FILE: `${file}.missing` })),
        /cannot load docker images in/,
      );
    } finally {
      await removeImage(docker, tag);
      await Deno.remove(file);
    }
  });
});

Deno.test("removeLeftovers() removes containers labelled by another instance only (unlabelled ones predate node labels)", async () => {
  const labelTag = `fnd-leftover-test-${newId().toLowerCase()}`;
  await withLauncher(async (launcher) => {
    const ours = specFor(images.hello);
    await launcher.launch(ours, launchSignal());
    const foreignName = `fnd-leftover-${newId().toLowerCase()}`;
    await launcher.docker.createContainer({
      name: foreignName,
      Image: images["bb-misc"],
      Labels: { "fnd.classifier": labelTag, "fnd.instance": "another-process" },
    });
    try {
      assert.equal(await launcher.removeLeftovers(), 1);
      assert.equal(await containerExists(launcher, foreignName), false);
      assert.equal(await containerExists(launcher, ours.id), true);
    } finally {
      await launcher.docker.getContainer(foreignName).remove({ force: true }).catch(() => {});
    }
  }, { FN_CONTAINER_LABEL_TAG: labelTag });
});

Deno.test("removeLeftovers() leaves the containers of another node on the same engine and tag alone", async () => {
  const env = { FN_CONTAINER_LABEL_TAG: `fnd-leftover-test-${newId().toLowerCase()}` };
  const launcher = (nodeId: string) => createDockerLauncher(testConfig(env), { nodeId });
  await using first = await launcher("full@test:8080");
  const live = specFor(images["bb-json"], { format: "json" });
  await first.launch(live, launchSignal());
  {
    // A second node (say, a pure runner on the same engine) starts up.
    await using runner = await launcher("pure-runner@test:9190");
    assert.equal(await runner.removeLeftovers(), 0);
    assert.equal(await containerExists(first, live.id), true, "the live node's container stays");
  }
  // The first node restarting after a crash is a new instance with the same identity.
  await using restarted = await launcher("full@test:8080");
  assert.equal(await restarted.removeLeftovers(), 1);
  assert.equal(await containerExists(first, live.id), false);
});
