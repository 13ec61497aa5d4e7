/**
 * Builds a function image without a registry or base image (see
 * `src/images/build_function_image.ts` for the function directory layout).
 *
 * Usage: `deno run -A scripts/build_image.ts <fn-dir> <image:tag>`
 *
 * @module
 */

import { buildFunctionImage } from "../src/images/build_function_image.ts";

const USAGE = "usage: deno run -A scripts/build_image.ts <fn-dir> <image:tag>";

async function main(args: string[]): Promise<number> {
  const [dir, tag] = args;
  if (args.length !== 2 || dir === undefined || tag === undefined) {
    writeErr(USAGE);
    return 2;
  }
  try {
    const built = await buildFunctionImage(dir, tag);
    writeOut(`built ${built.tag} (${built.runtime}) ${built.id}`);
    return 0;
  } catch (err) {
    writeErr(`build_image: ${err instanceof Error ? err.message : err}`);
    return 1;
  }
}

function writeOut(line: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));
}

function writeErr(line: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(line + "\n"));
}

if (import.meta.main) Deno.exit(await main(Deno.args));
