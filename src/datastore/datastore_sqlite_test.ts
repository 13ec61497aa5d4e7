import { startSqlite } from "../../tests/_databases.ts";
import { runDatastoreContract } from "./_contract.ts";

Deno.test("Datastore contract on SQLite", async (t) => {
  await using server = await startSqlite();
  await runDatastoreContract(t, server);
});
