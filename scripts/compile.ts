// deno-lint-ignore-file no-console -- a command-line tool talks to its user on the console
/**
 * `deno task compile`: builds the single `fnd` binary (all four node types) into `dist/`.
 *
 * `deno compile` embeds the program in a copy of the `denort` runtime, which it downloads
 * from Deno's servers on first use. Where that download is not possible (e.g. machines that
 * reach only the npm registry), download `denort-<target>.zip` for the same Deno version
 * elsewhere, unzip it, and point `DENORT_BIN` at the `denort` binary: `deno compile` then uses
 * it instead of downloading.
 *
 * Usage: deno task compile [--target x86_64-unknown-linux-gnu] [--output dist/fnd]
 *
 * @module
 */

const args = parseArgs(Deno.args);
const output = args.output ?? "dist/fnd";
const compileArgs = [
  "compile",
  "--allow-all",
  "--include",
  "proto/runner.proto",
  "--output",
  output,
  ...(args.target ? ["--target", args.target] : []),
  "src/main.ts",
];

const denort = Deno.env.get("DENORT_BIN");
console.log(`deno ${compileArgs.join(" ")}${denort ? ` (DENORT_BIN=${denort})` : ""}`);
const { code, stderr } = await new Deno.Command(Deno.execPath(), {
  args: compileArgs,
  stdout: "inherit",
  stderr: "piped",
}).output();
const errorText = new TextDecoder().decode(stderr);
await Deno.stderr.write(stderr);
if (code !== 0) {
  if (/denort|download/i.test(errorText) && !denort) {
    console.error(
      "\ndeno compile could not fetch the denort runtime. Download denort for Deno " +
        `${Deno.version.deno} and your target elsewhere, then run again with ` +
        "DENORT_BIN=/path/to/denort deno task compile",
    );
  }
  Deno.exit(code);
}
console.log(`built ${output}: run it with FN_NODE_TYPE=full|api|lb|pure-runner`);

function parseArgs(argv: string[]): { target?: string; output?: string } {
  const out: { target?: string; output?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if ((flag === "--target" || flag === "--output") && value !== undefined) {
      out[flag === "--target" ? "target" : "output"] = value;
      i++;
    } else {
      console.error(`Unknown argument ${flag}: use --target <triple> or --output <path>`);
      Deno.exit(2);
    }
  }
  return out;
}
