/**
 * The paging both CDR databases use (mysql.ts, pgsql.ts): rows of a calldate window, newest first,
 * in pages of `pageSize`. A page ends at a calldate boundary — the rows of its oldest calldate are
 * read again with the next page — so no row is skipped or read twice, even when many rows share one
 * calldate (a whole page of one second: that value is read entirely, then the read goes on below it).
 * At `maxRows` the read stops (`truncated`): the oldest rows of a very long gap are left out.
 */

/** The upper end of the window still to read: below `value`, or at it too. */
export interface UpperBound<V> {
  readonly value: V;
  readonly inclusive: boolean;
}

export interface NewestFirstReader<R, V> {
  /** At most `limit` rows below (or at) `upper`, newest first. */
  page(upper: UpperBound<V>, limit: number): Promise<R[]>;
  /** Every row whose calldate is exactly `value`. */
  at(value: V): Promise<R[]>;
  /** The calldate of a row, as the database compares it. */
  keyOf(row: R): V;
}

export async function readNewestFirst<R, V>(
  r: NewestFirstReader<R, V>, top: V, pageSize: number, maxRows: number,
): Promise<{ rows: R[]; truncated: boolean }> {
  const rows: R[] = [];
  let upper: UpperBound<V> = { value: top, inclusive: false };
  for (;;) {
    const page = await r.page(upper, pageSize);
    if (page.length < pageSize) {
      rows.push(...page);
      return { rows, truncated: false };
    }
    const oldest = r.keyOf(page.at(-1) as R);
    const newer = page.filter((x) => r.keyOf(x) !== oldest);
    if (newer.length === 0) {
      rows.push(...await r.at(oldest));
      upper = { value: oldest, inclusive: false };
    } else {
      rows.push(...newer);
      upper = { value: oldest, inclusive: true };
    }
    if (rows.length >= maxRows) return { rows, truncated: true };
  }
}
