/**
 * The pure runner's section of the configuration. Read only on `pure-runner` nodes.
 *
 * | Variable | Default | Meaning |
 * |---|---|---|
 * | `FN_GRPC_PORT` | 9190 | gRPC listen port (all interfaces) |
 * | `FN_STATUS_IMAGE` | — | image `Status`/`Status2` run as a health check (fnd addition) |
 * | `FN_ENABLE_NB_RESOURCE_TRACKER` | `true` on runners | a full runner NACKs at once instead of queueing |
 * | `FN_GRPC_CERT_FILE`, `FN_GRPC_KEY_FILE` | — | the runner's certificate (TLS on) |
 * | `FN_GRPC_CA_FILE` | — | CA that signs LB client certificates (mTLS: clients must present one) |
 *
 * @module
 */

import type { EnvReader } from "../_env.ts";
import type { TlsFiles } from "../grpc/tls_files.ts";

/** Settings of a pure-runner node. */
export interface RunnerConfig {
  readonly grpcPort: number;
  /** "" = `Status` answers with counters only. */
  readonly statusImage: string;
  /** Fail fast (NACK) when full; Fn's `FN_ENABLE_NB_RESOURCE_TRACKER`, on by default here. */
  readonly nonBlocking: boolean;
  readonly tls: TlsFiles;
}

/** Reads the runner section; problems go to `reader.errors`. */
export function readRunnerConfig(reader: EnvReader): RunnerConfig {
  const tls: TlsFiles = {
    caFile: reader.string("FN_GRPC_CA_FILE", "").trim(),
    certFile: reader.string("FN_GRPC_CERT_FILE", "").trim(),
    keyFile: reader.string("FN_GRPC_KEY_FILE", "").trim(),
  };
  const anyTls = tls.caFile !== "" || tls.certFile !== "" || tls.keyFile !== "";
  if (anyTls && (tls.certFile === "" || tls.keyFile === "")) {
    reader.fail(
      tls.certFile === "" ? "FN_GRPC_CERT_FILE" : "FN_GRPC_KEY_FILE",
      "",
      "set both FN_GRPC_CERT_FILE and FN_GRPC_KEY_FILE to serve gRPC over TLS",
    );
  }
  return {
    grpcPort: reader.int("FN_GRPC_PORT", 9190, { min: 0, max: 65535 }),
    statusImage: reader.string("FN_STATUS_IMAGE", "").trim(),
    nonBlocking: reader.bool("FN_ENABLE_NB_RESOURCE_TRACKER", true),
    tls,
  };
}
