import { getReferenceDb } from "../lib/reference";

function stock(db: Awaited<ReturnType<typeof getReferenceDb>>) {
  return db.collection("stock");
}

// The bug this app shows: a restock written through the reference handle.
export async function restock(sku: string, count: number) {
  const db = await getReferenceDb();
  await stock(db).insertOne({ sku, count, at: new Date() });
}
