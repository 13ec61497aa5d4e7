/**
 * TLS material for the runner protocol, read from PEM files: the LB's channel
 * credentials (verify runners against a CA, present a client certificate for mTLS)
 * and the runner's server credentials (present a certificate, require clients signed
 * by a CA).
 *
 * @module
 */

import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";

/** PEM file paths; all empty means plaintext. */
export interface TlsFiles {
  /** CA bundle that signs the other side's certificate. */
  readonly caFile: string;
  /** This side's certificate chain. */
  readonly certFile: string;
  /** This side's private key. */
  readonly keyFile: string;
}

/** Whether any TLS file is set. */
export function tlsEnabled(files: TlsFiles): boolean {
  return files.caFile !== "" || files.certFile !== "" || files.keyFile !== "";
}

function read(path: string, what: string, variable: string): Buffer {
  try {
    return Buffer.from(Deno.readFileSync(path));
  } catch (err) {
    throw new Error(
      `Cannot read the ${what} ${path} for TLS (${(err as Error).message}): ` +
        `set ${variable} to a readable PEM file`,
    );
  }
}

/**
 * LB side: plaintext, server-verified TLS (CA only) or mTLS (CA + cert + key).
 *
 * @param names the variable names to mention in errors
 * @throws {Error} when a file cannot be read or only one of cert/key is set
 */
export function channelCredentials(
  files: TlsFiles,
  names: { ca: string; cert: string; key: string },
): grpc.ChannelCredentials {
  if (!tlsEnabled(files)) return grpc.credentials.createInsecure();
  if ((files.certFile === "") !== (files.keyFile === "")) {
    throw new Error(`Set both ${names.cert} and ${names.key} (or neither) for runner TLS`);
  }
  const ca = files.caFile === "" ? null : read(files.caFile, "CA", names.ca);
  const key = files.keyFile === "" ? null : read(files.keyFile, "private key", names.key);
  const cert = files.certFile === "" ? null : read(files.certFile, "certificate", names.cert);
  return grpc.credentials.createSsl(ca, key, cert);
}

/**
 * Runner side: plaintext, TLS (cert + key) or mTLS (cert + key + client CA, client
 * certificates required).
 *
 * @throws {Error} when a file cannot be read, or cert/key are missing while TLS is on
 */
export function serverCredentials(
  files: TlsFiles,
  names: { ca: string; cert: string; key: string },
): grpc.ServerCredentials {
  if (!tlsEnabled(files)) return grpc.ServerCredentials.createInsecure();
  if (files.certFile === "" || files.keyFile === "") {
    throw new Error(`Set ${names.cert} and ${names.key} to serve the runner protocol over TLS`);
  }
  const ca = files.caFile === "" ? null : read(files.caFile, "client CA", names.ca);
  const pair = {
    "cert_chain": read(files.certFile, "certificate", names.cert),
    "private_key": read(files.keyFile, "private key", names.key),
  };
  return grpc.ServerCredentials.createSsl(ca, [pair], ca !== null);
}
