/**
 * The LB node's section of the configuration (`lb-runner.md` §5.4, plus fnd's TLS
 * and placement-timing variables). Read only on `lb` nodes, where Fn's startup errors
 * apply when the runner addresses or the metadata source are missing.
 *
 * | Variable | Default | Meaning |
 * |---|---|---|
 * | `FN_RUNNER_ADDRESSES` | — (required) | comma-separated `host:port` of pure runners, in placement order |
 * | `FN_RUNNER_API_URL` | — | API node to read apps/fns/triggers from (else `FN_DB_URL`) |
 * | `FN_PLACER` | `naive` | `naive` (round robin) or `ch` (consistent hash of the fn id) |
 * | `FN_PLACER_TIMEOUT_MSECS` | 360000 | how long a sync call may look for a runner |
 * | `FN_DETACHED_PLACER_TIMEOUT_MSECS` | 30000 | the same for detached calls |
 * | `FN_PLACER_RETRY_DELAY_MSECS` | 10 | pause after a pass over all runners |
 * | `FN_RUNNER_CONNECT_TIMEOUT_MSECS` | 250 | wait for a runner that is not connected yet |
 * | `FN_RUNNER_KEEPALIVE_MSECS` | 0 (off) | ping a runner connection with calls in flight this often (≥ 300000) |
 * | `FN_RUNNER_KEEPALIVE_TIMEOUT_MSECS` | 20000 | drop the connection (failing its calls) when a ping is not answered in time |
 * | `FN_RUNNER_CA_FILE` | — | CA that signs the runners' certificates (TLS on) |
 * | `FN_RUNNER_CERT_FILE`, `FN_RUNNER_KEY_FILE` | — | the LB's client certificate (mTLS) |
 *
 * @module
 */

import type { EnvReader } from "../_env.ts";
import type { TlsFiles } from "../grpc/tls_files.ts";
import { PLACER_KINDS, type PlacerConfig, type PlacerKind } from "./placer.ts";

/** Settings of an LB node. */
export interface LbConfig {
  /** Runner addresses (`host:port`) in the configured order. */
  readonly runnerAddresses: readonly string[];
  /** Base URL of an API node; "" = read from the datastore. */
  readonly runnerApiUrl: string;
  readonly placer: PlacerKind;
  readonly placerConfig: PlacerConfig;
  readonly runnerConnectTimeoutMs: number;
  /** Keepalive ping interval while calls are in flight; 0 = no pings (Fn's default). */
  readonly runnerKeepaliveMs: number;
  /** How long an unanswered ping may take before the connection is dropped. */
  readonly runnerKeepaliveTimeoutMs: number;
  readonly runnerTls: TlsFiles;
}

/**
 * The shortest keepalive interval: a stock Go runner (grpc-go server defaults) answers
 * pings more frequent than every 5 min with GOAWAY `too_many_pings` (§5.2, §8.9), and
 * the LB cannot tell a Go runner from an fnd one.
 */
export const MIN_RUNNER_KEEPALIVE_MS = 300_000;

/** Fn's startup error when no runners are configured (two spaces, as in Fn). */
export const NO_RUNNER_ADDRESSES =
  "must provide FN_RUNNER_ADDRESSES  when running in default load-balanced mode";
/** Fn's startup error when an LB has no metadata source. */
export const NO_RUNNER_API_URL = "no FN_RUNNER_API_URL provided for an Fn NuLB node";

/**
 * Reads the LB section; problems go to `reader.errors`.
 *
 * @param hasDatastore whether `FN_DB_URL` gives the LB a datastore to read from
 */
export function readLbConfig(reader: EnvReader, hasDatastore: boolean): LbConfig {
  const runnerApiUrl = (reader.raw("FN_RUNNER_API_URL") ?? "").trim();
  if (runnerApiUrl === "" && !hasDatastore) {
    reader.errors.push(
      `${NO_RUNNER_API_URL} (set FN_RUNNER_API_URL to an API node's URL, or FN_DB_URL)`,
    );
  } else if (runnerApiUrl !== "" && !hasHost(runnerApiUrl)) {
    reader.fail(
      "FN_RUNNER_API_URL",
      runnerApiUrl,
      "no host specified for client: use http://host:port",
    );
  }
  const runnerAddresses = (reader.raw("FN_RUNNER_ADDRESSES") ?? "").split(",")
    .map((a) => a.trim()).filter((a) => a !== "");
  if (runnerAddresses.length === 0) {
    reader.errors.push(`${NO_RUNNER_ADDRESSES} (a comma-separated list of runner host:port)`);
  }
  for (const address of runnerAddresses) {
    if (!/^(\[[0-9a-fA-F:.]+\]|[^\s:/\[\]]+):\d{1,5}$/.test(address)) {
      reader.fail("FN_RUNNER_ADDRESSES", address, "each runner must be host:port");
    }
  }
  const placer = readPlacer(reader);
  const runnerTls: TlsFiles = {
    caFile: reader.string("FN_RUNNER_CA_FILE", "").trim(),
    certFile: reader.string("FN_RUNNER_CERT_FILE", "").trim(),
    keyFile: reader.string("FN_RUNNER_KEY_FILE", "").trim(),
  };
  if ((runnerTls.certFile === "") !== (runnerTls.keyFile === "")) {
    reader.fail(
      runnerTls.certFile === "" ? "FN_RUNNER_CERT_FILE" : "FN_RUNNER_KEY_FILE",
      "",
      "set both FN_RUNNER_CERT_FILE and FN_RUNNER_KEY_FILE for mTLS, or neither",
    );
  }
  return {
    runnerAddresses,
    runnerApiUrl,
    placer,
    placerConfig: {
      placerTimeoutMs: reader.int("FN_PLACER_TIMEOUT_MSECS", 360_000, { min: 1 }),
      detachedPlacerTimeoutMs: reader.int("FN_DETACHED_PLACER_TIMEOUT_MSECS", 30_000, { min: 1 }),
      retryAllDelayMs: reader.int("FN_PLACER_RETRY_DELAY_MSECS", 10, { min: 0 }),
    },
    runnerConnectTimeoutMs: reader.int("FN_RUNNER_CONNECT_TIMEOUT_MSECS", 250, { min: 1 }),
    runnerKeepaliveMs: readKeepalive(reader),
    runnerKeepaliveTimeoutMs: reader.int("FN_RUNNER_KEEPALIVE_TIMEOUT_MSECS", 20_000, { min: 1 }),
    runnerTls,
  };
}

function readKeepalive(reader: EnvReader): number {
  const name = "FN_RUNNER_KEEPALIVE_MSECS";
  const ms = reader.int(name, 0, { min: 0 });
  if (ms === 0 || ms >= MIN_RUNNER_KEEPALIVE_MS) return ms;
  reader.fail(
    name,
    String(ms),
    `must be 0 (off) or at least ${MIN_RUNNER_KEEPALIVE_MS}: Fn's Go runners close a ` +
      "connection pinged more often than every 5 minutes (GOAWAY too_many_pings)",
  );
  return 0;
}

function readPlacer(reader: EnvReader): PlacerKind {
  const value = (reader.raw("FN_PLACER") ?? "").trim();
  if (value === "") return "naive";
  const match = PLACER_KINDS.find((k) => k === value);
  if (match === undefined) {
    reader.fail("FN_PLACER", value, `expected one of ${PLACER_KINDS.join(", ")}`);
    return "naive";
  }
  return match;
}

function hasHost(url: string): boolean {
  try {
    return new URL(url.includes("://") ? url : `http://${url}`).host !== "";
  } catch {
    return false;
  }
}
