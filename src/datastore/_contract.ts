/**
 * The datastore contract suite (the rules in `datastore.ts`), run by one test file per
 * SQL dialect against a real database server from `tests/_databases.ts`. Every case
 * opens its own fresh database, so cases cannot see each other's rows.
 *
 * @module
 */

import type { TestDatabaseServer } from "../../tests/_databases.ts";
import { adoptionContract } from "./_contract_adoption.ts";
import { appContract } from "./_contract_apps.ts";
import { concurrencyContract } from "./_contract_concurrency.ts";
import { Harness } from "./_contract_fixtures.ts";
import { fnContract } from "./_contract_fns.ts";
import { sizeContract } from "./_contract_sizes.ts";
import { triggerContract } from "./_contract_triggers.ts";

/** Runs every contract case as a step of `t` against databases of `server`. */
export async function runDatastoreContract(
  t: Deno.TestContext,
  server: TestDatabaseServer,
): Promise<void> {
  const h = new Harness(server);
  await appContract(t, h);
  await fnContract(t, h);
  await triggerContract(t, h);
  await sizeContract(t, h);
  await concurrencyContract(t, h);
  await adoptionContract(t, h);
}
