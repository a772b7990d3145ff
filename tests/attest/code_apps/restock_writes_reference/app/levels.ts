import { getReferenceDb } from "../lib/reference";

// A clean read: listing stock levels from the reference data.
export async function stockLevels() {
  const db = await getReferenceDb();
  return db.collection("stock").find({ active: true }).toArray();
}
