import { getReferenceDb } from "./reference";

export async function catalog() {
  const db = await getReferenceDb();
  return db.collection("catalog").find({}).toArray();
}
