/**
 * The write transaction open on each Database. One per database, shared by every Realm instance
 * on the same file: that is Realm's single-writer rule within a process.
 */
import type { Database } from "../core/Database.js";
import type { WriteTransaction } from "./WriteTransaction.js";

const open = new WeakMap<Database, WriteTransaction>();

export function currentTransaction(db: Database): WriteTransaction | undefined {
  return open.get(db);
}

export function setTransaction(db: Database, transaction: WriteTransaction | undefined): void {
  if (transaction) open.set(db, transaction);
  else open.delete(db);
}
