import { startPostgres } from "../../tests/_databases.ts";
import { runDatastoreContract } from "./_contract.ts";

Deno.test("Datastore contract on PostgreSQL", async (t) => {
  await using server = await startPostgres();
  await runDatastoreContract(t, server);
});
