/**
 * Splits an image reference into registry, repository and tag the way Fn does
 * (`agent.md` §2.2 step 1).
 *
 * @module
 */

/** A parsed image reference. */
export interface ImageRef {
  /** The registry host (with port), or "" for Docker Hub. */
  readonly registry: string;
  /** The repository; Hub single names get `library/`. */
  readonly repository: string;
  /** The tag or `sha256:…` digest; `latest` when absent. */
  readonly tag: string;
  /** The name to pull without the tag: `registry/repository` or `repository`. */
  readonly name: string;
}

/**
 * Parses `image`: a trailing `@digest` becomes the tag, otherwise a last `:x` without
 * `/` is the tag; the first path element is the registry only if it contains `.` or `:`
 * or is `localhost`.
 */
export function parseImageRef(image: string): ImageRef {
  let rest = image;
  let tag = "latest";
  const at = rest.indexOf("@");
  if (at >= 0) {
    tag = rest.slice(at + 1);
    rest = rest.slice(0, at);
  } else {
    const colon = rest.lastIndexOf(":");
    if (colon >= 0 && !rest.slice(colon + 1).includes("/")) {
      tag = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
    }
  }
  let registry = "";
  let repository = rest;
  const slash = rest.indexOf("/");
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost") {
      registry = first;
      repository = rest.slice(slash + 1);
    }
  }
  const name = registry === "" ? repository : `${registry}/${repository}`;
  if (registry === "" && !repository.includes("/")) repository = `library/${repository}`;
  return { registry, repository, tag, name };
}
