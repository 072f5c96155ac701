/**
 * Inserting many rows into one SQLite table with few statement runs: the rows go in chunks as
 * `INSERT ... VALUES (...),(...),...`, one prepared statement per chunk size (prepared when
 * first needed). A run of a statement costs several times the work of one more row in it.
 *
 * Rowids: into a table whose rowid is an `INTEGER PRIMARY KEY` without AUTOINCREMENT, one
 * connection writing inside a transaction, every row gets the largest rowid so far plus one,
 * in the order of the VALUES list; the rows of successive chunks therefore get consecutive
 * rowids and `insert` returns the last one.
 */
import type Database from "better-sqlite3";

/** Rows per statement run: beyond this the statements grow without runs getting cheaper. */
export const ROWS_PER_STATEMENT = 64;

export class SqliteMultiRowInsert {
  readonly #db: Database.Database;
  readonly #head: string;
  readonly #rowPlaceholders: string;
  readonly #columns: number;
  /** Statements by row count. */
  readonly #statements: (Database.Statement | undefined)[] = [];

  constructor(db: Database.Database, table: string, columns: readonly string[]) {
    this.#db = db;
    this.#head = `INSERT INTO ${table} (${columns.join(", ")}) VALUES `;
    this.#rowPlaceholders = `(${columns.map(() => "?").join(", ")})`;
    this.#columns = columns.length;
  }

  /**
   * Inserts the rows whose column values follow each other in `values` (row after row, in the
   * constructor's column order); returns the rowid of the last row (0 when there is none).
   * A failing chunk throws the driver's error; the rows of earlier chunks stay inserted, so
   * callers run this inside a transaction they roll back.
   */
  insert(values: readonly unknown[]): number {
    const rows = values.length / this.#columns;
    if (!Number.isInteger(rows)) throw new RangeError("values do not fill whole rows");
    let last = 0;
    for (let row = 0; row < rows; row += ROWS_PER_STATEMENT) {
      const count = Math.min(ROWS_PER_STATEMENT, rows - row);
      const chunk = values.slice(row * this.#columns, (row + count) * this.#columns);
      last = Number(this.#statement(count).run(chunk).lastInsertRowid);
    }
    return last;
  }

  #statement(rows: number): Database.Statement {
    let statement = this.#statements[rows];
    if (statement === undefined) {
      const tuples = new Array<string>(rows).fill(this.#rowPlaceholders).join(",");
      statement = this.#db.prepare(this.#head + tuples);
      this.#statements[rows] = statement;
    }
    return statement;
  }
}
