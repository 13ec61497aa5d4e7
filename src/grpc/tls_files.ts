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
import { isIP } from "node:net";
import { checkServerIdentity } from "node:tls";

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

/** What a client channel to one runner needs: credentials and channel options. */
export interface ChannelSecurity {
  readonly credentials: grpc.ChannelCredentials;
  readonly options: grpc.ChannelOptions;
}

/** SNI name sent to runners addressed by IP (SNI cannot carry an IP address). */
const IP_SNI_NAME = "fnd-runner";

/**
 * LB side, for the runner at `address` (`host:port`): plaintext, server-verified TLS
 * (CA only) or mTLS (CA + cert + key). The runner's certificate must name its host
 * (DNS name or IP address SAN).
 *
 * @param names the variable names to mention in errors
 * @throws {Error} when a file cannot be read or only one of cert/key is set
 */
export function channelSecurity(
  files: TlsFiles,
  names: { ca: string; cert: string; key: string },
  address: string,
): ChannelSecurity {
  if (!tlsEnabled(files)) return { credentials: grpc.credentials.createInsecure(), options: {} };
  if ((files.certFile === "") !== (files.keyFile === "")) {
    throw new Error(`Set both ${names.cert} and ${names.key} (or neither) for runner TLS`);
  }
  const ca = files.caFile === "" ? null : read(files.caFile, "CA", names.ca);
  const key = files.keyFile === "" ? null : read(files.keyFile, "private key", names.key);
  const cert = files.certFile === "" ? null : read(files.certFile, "certificate", names.cert);
  const host = hostOf(address);
  if (isIP(host) === 0) {
    return { credentials: grpc.credentials.createSsl(ca, key, cert), options: {} };
  }
  // Deno's TLS refuses an IP address as SNI server name, so a placeholder name is
  // sent and the certificate is still checked against the runner's IP address.
  const credentials = grpc.credentials.createSsl(ca, key, cert, {
    checkServerIdentity: (_name, peer) => checkServerIdentity(host, peer),
  });
  return { credentials, options: { "grpc.ssl_target_name_override": IP_SNI_NAME } };
}

function hostOf(address: string): string {
  const bracketed = /^\[(.*)\]:\d+$/.exec(address);
  if (bracketed) return bracketed[1]!;
  const colon = address.lastIndexOf(":");
  return colon < 0 ? address : address.slice(0, colon);
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
