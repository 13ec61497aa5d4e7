/**
 * Test helper process: opens (and so migrates) the datastore at the URL given as the only
 * argument, closes it and exits 0; on failure prints the error and exits 1. The contract
 * suite runs two of these at once against one fresh database.
 *
 * @module
 */

import { parseDbUrl } from "./db_url.ts";
import { openDatastore } from "./open_datastore.ts";

if (import.meta.main) {
  const url = Deno.args[0];
  if (url === undefined) throw new TypeError("usage: _contract_open_once.ts FN_DB_URL");
  try {
    const ds = await openDatastore(parseDbUrl(url), { connectAttempts: 1 });
    await ds.ping();
    await ds[Symbol.asyncDispose]();
  } catch (err) {
    Deno.stderr.writeSync(new TextEncoder().encode(`${(err as Error).stack}\n`));
    Deno.exit(1);
  }
}
