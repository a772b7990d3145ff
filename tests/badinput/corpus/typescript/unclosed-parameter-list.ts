import { MongoClient } from "mongodb";

export function connect( {
  return new MongoClient(process.env.MONGODB_URI ?? "");
