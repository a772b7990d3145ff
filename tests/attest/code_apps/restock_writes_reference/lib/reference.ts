// The shared reference data (stock levels, prices) lives on the reference cluster: read it, never write.
import { MongoClient } from "mongodb";

const client = new MongoClient(process.env.MONGODB_REFERENCE_URI!);

export async function getReferenceDb() {
  await client.connect();
  return client.db("reference");
}
