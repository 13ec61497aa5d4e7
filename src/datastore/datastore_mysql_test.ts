import { startMariaDb } from "../../tests/_databases.ts";
import { runDatastoreContract } from "./_contract.ts";

Deno.test("Datastore contract on MariaDB", async (t) => {
  await using server = await startMariaDb();
  await runDatastoreContract(t, server);
});
