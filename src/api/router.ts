/**
 * A small path router with Fn's (gin's) behaviour (`api-v2.md` §1.4): `:name` matches
 * one non-empty segment, `*name` (last) matches the rest of the path including its
 * leading `/`; a path that matches only with another method is 405; a path that would
 * match with its trailing `/` added or removed is a redirect (301 for GET, 307 else).
 * Parameters are percent-decoded.
 *
 * @module
 */

/** What a lookup found. */
export type RouteMatch<T> =
  | { readonly kind: "found"; readonly value: T; readonly params: Record<string, string> }
  | { readonly kind: "method-not-allowed" }
  | { readonly kind: "redirect"; readonly location: string; readonly status: 301 | 307 }
  | { readonly kind: "not-found" };

type Segment =
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "param"; readonly name: string }
  | { readonly kind: "rest"; readonly name: string };

interface Entry<T> {
  readonly method: string;
  readonly segments: readonly Segment[];
  readonly value: T;
}

/** Method that matches every method, for routes such as `/t/...`. */
export const ANY_METHOD = "*";

/** Percent-decodes `text`, keeping it as is when it is not valid escaping. */
export function decodePathText(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function compile(pattern: string): Segment[] {
  if (!pattern.startsWith("/")) {
    throw new TypeError(`Cannot add route "${pattern}" as patterns must start with "/"`);
  }
  const parts = pattern === "/" ? [] : pattern.slice(1).split("/");
  return parts.map((part, i): Segment => {
    if (part.startsWith(":")) return { kind: "param", name: part.slice(1) };
    if (part.startsWith("*")) {
      if (i !== parts.length - 1) {
        throw new TypeError(`Cannot add route "${pattern}" as "*" must be the last segment`);
      }
      return { kind: "rest", name: part.slice(1) };
    }
    return { kind: "literal", text: part };
  });
}

function matchSegments(
  segments: readonly Segment[],
  parts: readonly string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const part = parts[i];
    if (part === undefined) return undefined;
    if (seg.kind === "rest") {
      params[seg.name] = decodePathText("/" + parts.slice(i).join("/"));
      return params;
    }
    if (seg.kind === "literal" && seg.text !== part) return undefined;
    if (seg.kind === "param") {
      if (part === "") return undefined;
      params[seg.name] = decodePathText(part);
    }
  }
  return parts.length === segments.length ? params : undefined;
}

function splitPath(path: string): string[] {
  return path === "/" ? [] : path.slice(1).split("/");
}

/** Routes `(method, path)` to values of type `T`. */
export class Router<T> {
  readonly #entries: Entry<T>[] = [];

  /**
   * Adds a route; earlier routes win when two match.
   *
   * @throws {TypeError} when the pattern is malformed
   */
  add(method: string, pattern: string, value: T): this {
    this.#entries.push({ method, segments: compile(pattern), value });
    return this;
  }

  #find(
    method: string,
    path: string,
  ): { value: T; params: Record<string, string> } | "other" | undefined {
    const parts = splitPath(path);
    let other = false;
    for (const entry of this.#entries) {
      const params = matchSegments(entry.segments, parts);
      if (params === undefined) continue;
      if (entry.method === ANY_METHOD || entry.method === method) {
        return { value: entry.value, params };
      }
      other = true;
    }
    return other ? "other" : undefined;
  }

  /** Looks up the raw (still percent-encoded) `path` of a request. */
  match(method: string, path: string, search = ""): RouteMatch<T> {
    const found = this.#find(method, path);
    if (found === "other") return { kind: "method-not-allowed" };
    if (found !== undefined) return { kind: "found", ...found };
    if (path !== "/") {
      const variant = path.endsWith("/") ? path.slice(0, -1) : path + "/";
      const alt = this.#find(method, variant);
      if (alt !== undefined && alt !== "other") {
        return {
          kind: "redirect",
          location: variant + search,
          status: method === "GET" ? 301 : 307,
        };
      }
    }
    return { kind: "not-found" };
  }
}
