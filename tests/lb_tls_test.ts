/**
 * The LB ↔ runner protocol over TLS and mTLS, with a CA and certificates made by
 * `openssl` in the test: an fnd LB agent places calls on an fnd pure runner (over a
 * scripted agent) only when both sides trust each other.
 */

import assert from "node:assert/strict";
import client from "prom-client";
import { channelSecurity, serverCredentials, type TlsFiles } from "../src/grpc/tls_files.ts";
import { GrpcRunner } from "../src/lb/grpc_runner.ts";
import { LbAgent } from "../src/lb/lb_agent.ts";
import { LbMetrics } from "../src/lb/lb_metrics.ts";
import { NaivePlacer } from "../src/lb/naive_placer.ts";
import type { RunnerAttempt } from "../src/lb/runner_attempt.ts";
import { StaticRunnerPool } from "../src/lb/static_runner_pool.ts";
import { APIError } from "../src/models/api_error.ts";
import {
  echoScript,
  pattern,
  quietLog,
  readAll,
  ScriptAgent,
  startTestRunner,
} from "./_grpc_fakes.ts";
import { makeTestPki } from "./_tls_certs.ts";

const NAMES = { ca: "CA", cert: "CERT", key: "KEY" };
const at = new Date(0);

function lbAgent(address: string, tls: TlsFiles): LbAgent {
  const metrics = new LbMetrics(new client.Registry());
  const { credentials, options } = channelSecurity(tls, NAMES, address);
  const pool = new StaticRunnerPool<RunnerAttempt>([
    new GrpcRunner(address, {
      credentials,
      channelOptions: options,
      log: quietLog,
      connectTimeoutMs: 2000,
    }),
  ]);
  const placerConfig = { retryAllDelayMs: 10, placerTimeoutMs: 300, detachedPlacerTimeoutMs: 300 };
  return new LbAgent({
    placer: new NaivePlacer(pool, metrics, placerConfig),
    pool,
    placerConfig,
    replayLimitBytes: 1 << 20,
    metrics,
    log: quietLog,
  });
}

function call(body: Uint8Array) {
  return {
    id: "01TLS",
    app: { id: "A", name: "a", config: {}, annotations: {}, createdAt: at, updatedAt: at },
    fn: {
      id: "F",
      name: "f",
      appId: "A",
      image: "img",
      memoryMb: 128,
      timeoutSeconds: 30,
      idleTimeoutSeconds: 30,
      config: {},
      annotations: {},
      createdAt: at,
      updatedAt: at,
    },
    triggerId: "",
    type: "sync" as const,
    method: "POST",
    url: "http://lb/invoke/F",
    headers: new Headers(),
    body: ReadableStream.from([body]),
    signal: new AbortController().signal,
    createdAt: at,
  };
}

Deno.test("an mTLS runner serves an LB that presents a certificate signed by its CA", async () => {
  await using pki = await makeTestPki();
  const serverTls: TlsFiles = {
    caFile: pki.caFile,
    certFile: pki.serverCert,
    keyFile: pki.serverKey,
  };
  await using runner = await startTestRunner(new ScriptAgent(echoScript), {
    credentials: serverCredentials(serverTls, NAMES),
  });
  const lbTls: TlsFiles = { caFile: pki.caFile, certFile: pki.clientCert, keyFile: pki.clientKey };
  await using lb = lbAgent(runner.address, lbTls);
  const body = pattern(30000);
  const res = await lb.submit(call(body));
  assert.deepEqual(await readAll(res.body), body);
});

Deno.test("an mTLS runner refuses an LB without a client certificate", async () => {
  await using pki = await makeTestPki();
  const serverTls: TlsFiles = {
    caFile: pki.caFile,
    certFile: pki.serverCert,
    keyFile: pki.serverKey,
  };
  const agent = new ScriptAgent(echoScript);
  await using runner = await startTestRunner(agent, {
    credentials: serverCredentials(serverTls, NAMES),
  });
  const lbTls: TlsFiles = { caFile: pki.caFile, certFile: "", keyFile: "" };
  await using lb = lbAgent(runner.address, lbTls);
  await assert.rejects(
    lb.submit(call(pattern(10))),
    (e) => e instanceof APIError && e.status === 503,
  );
  assert.equal(agent.calls.length, 0);
});

Deno.test("an LB refuses a runner whose certificate its CA did not sign", async () => {
  await using pki = await makeTestPki();
  const serverTls: TlsFiles = { caFile: "", certFile: pki.serverCert, keyFile: pki.serverKey };
  const agent = new ScriptAgent(echoScript);
  await using runner = await startTestRunner(agent, {
    credentials: serverCredentials(serverTls, NAMES),
  });
  const lbTls: TlsFiles = { caFile: pki.otherCaFile, certFile: "", keyFile: "" };
  await using lb = lbAgent(runner.address, lbTls);
  await assert.rejects(
    lb.submit(call(pattern(10))),
    (e) => e instanceof APIError && e.status === 503,
  );
  assert.equal(agent.calls.length, 0);
});

Deno.test("a plaintext LB cannot reach a TLS runner", async () => {
  await using pki = await makeTestPki();
  const serverTls: TlsFiles = { caFile: "", certFile: pki.serverCert, keyFile: pki.serverKey };
  const agent = new ScriptAgent(echoScript);
  await using runner = await startTestRunner(agent, {
    credentials: serverCredentials(serverTls, NAMES),
  });
  await using lb = lbAgent(runner.address, { caFile: "", certFile: "", keyFile: "" });
  await assert.rejects(
    lb.submit(call(pattern(10))),
    (e) => e instanceof APIError && e.status === 503,
  );
  assert.equal(agent.calls.length, 0);
});

Deno.test("channelSecurity() names the variable of an unreadable file", () => {
  assert.throws(
    () =>
      channelSecurity({ caFile: "/nonexistent/ca.pem", certFile: "", keyFile: "" }, NAMES, "a:1"),
    /set CA to a readable PEM file/,
  );
});
