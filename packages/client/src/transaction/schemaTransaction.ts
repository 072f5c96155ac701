/**
 * The write transaction that records a schema in the file together with the changes made
 * while it is open (a migration's, or `onFirstOpen`'s initial data): both are committed in one
 * atomic batch, or, if `body` throws, neither is.
 */
import type { Database } from "../core/Database.js";
import type { StoredSchemaState } from "../store/LocalStore.js";
import { setTransaction } from "./openTransaction.js";
import { WriteTransaction } from "./WriteTransaction.js";

export function inSchemaTransaction(
  db: Database,
  schemaState: StoredSchemaState,
  body: (txn: WriteTransaction) => void,
): void {
  const txn = new WriteTransaction(db);
  txn.schemaState = schemaState;
  setTransaction(db, txn);
  try {
    body(txn);
  } catch (error) {
    setTransaction(db, undefined);
    txn.rollback();
    throw error;
  }
  setTransaction(db, undefined);
  txn.commit();
}
