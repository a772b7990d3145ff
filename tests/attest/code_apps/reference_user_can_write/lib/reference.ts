import { MongoClient } from "mongodb";

const client = new MongoClient(process.env.MONGODB_REFERENCE_URI!);

export async function getReferenceDb() {
  return client.db("reference");
}
