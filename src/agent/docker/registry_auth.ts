/**
 * Registry credentials from `FN_DOCKER_AUTH` (Docker config JSON) or the user's
 * `~/.docker/config.json`, matched to an image's registry as Fn does (`agent.md` §2.1).
 *
 * @module
 */

import type { ImageRef } from "./image_ref.ts";

/** Credentials in the shape the engine's `X-Registry-Auth` header takes. */
export interface RegistryCredentials {
  readonly username?: string;
  readonly password?: string;
  readonly identitytoken?: string;
  readonly serveraddress: string;
}

interface ConfigEntry {
  readonly auth?: string;
  readonly username?: string;
  readonly password?: string;
  readonly identitytoken?: string;
  readonly serveraddress?: string;
}

/** Hostname of a registry address such as `https://registry.example.com/v1/` or `host:5000`. */
function hostOf(address: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(address) ? address : `https://${address}`;
  try {
    return new URL(withScheme).host;
  } catch {
    return address;
  }
}

/** `a.b.example.com` → [`a.b.example.com`, `b.example.com`, `example.com`]. */
function suffixes(host: string): string[] {
  const labels = host.split(".");
  const out: string[] = [];
  for (let i = 0; i <= labels.length - 2; i++) out.push(labels.slice(i).join("."));
  return out.length > 0 ? out : [host];
}

function decode(key: string, entry: ConfigEntry): RegistryCredentials {
  let { username, password } = entry;
  if (entry.auth) {
    const plain = atob(entry.auth);
    const colon = plain.indexOf(":");
    username = plain.slice(0, colon);
    password = plain.slice(colon + 1);
  }
  return {
    username,
    password,
    identitytoken: entry.identitytoken,
    serveraddress: entry.serveraddress ?? key,
  };
}

/** Registry credentials keyed by registry. */
export class RegistryAuth {
  readonly #entries: { keys: string[]; credentials: RegistryCredentials }[] = [];

  /**
   * @param config Docker config JSON: `{"auths": {"host": {"auth": base64("u:p")}}}` or
   *   the legacy form without `auths`
   * @throws {Error} when the JSON cannot be parsed
   */
  constructor(config = "") {
    if (config.trim() === "") return;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(config);
    } catch (err) {
      throw new Error(
        `FN_DOCKER_AUTH is not valid JSON (${err instanceof Error ? err.message : err}); ` +
          `set it to a Docker config such as {"auths":{"host:5000":{"auth":"<base64 user:pass>"}}}`,
      );
    }
    const auths = (parsed.auths ?? parsed) as Record<string, ConfigEntry>;
    for (const [key, entry] of Object.entries(auths)) {
      if (typeof entry !== "object" || entry === null) continue;
      const credentials = decode(key, entry);
      this.#entries.push({ keys: suffixes(hostOf(credentials.serveraddress)), credentials });
    }
  }

  /** From `FN_DOCKER_AUTH` if set, otherwise `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`. */
  static async fromEnvironment(dockerAuth: string): Promise<RegistryAuth> {
    if (dockerAuth.trim() !== "") return new RegistryAuth(dockerAuth);
    const dir = Deno.env.get("DOCKER_CONFIG") ?? `${Deno.env.get("HOME") ?? ""}/.docker`;
    try {
      return new RegistryAuth(await Deno.readTextFile(`${dir}/config.json`));
    } catch {
      return new RegistryAuth(); // a missing or unreadable config is fine (Fn ignores it)
    }
  }

  /** The credentials for `ref`'s registry, or undefined. */
  forImage(ref: ImageRef): RegistryCredentials | undefined {
    const wanted = ref.registry === "" ? ["hub.docker.com", "index.docker.io"] : [ref.registry];
    return this.#entries.find((e) => wanted.some((w) => e.keys.includes(w)))?.credentials;
  }
}
