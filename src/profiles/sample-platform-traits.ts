import { sql, type Fragment } from '../sql/fragment.js';
import type { Dialect } from '../sql/dialect.js';
import type { ComparableAccountRow } from './sample-platform.js';

/** The columns of `comparableAccounts` that say what kind of account it is (traits to rank causes by), without its bill-run outcome. */
export type AccountTraitRow = Pick<ComparableAccountRow, 'account_number' | 'package_traits' | 'pool_role' | 'is_child'>;

/** Every account's traits, in one pass: the same columns and values as `comparableAccounts`, without the invoice subqueries. */
export function accountTraitRows(dialect: Dialect): Fragment {
  const traits = dialect.orderedConcat(
    sql`concat(p.period, CASE WHEN up.discount_id IS NULL THEN '' ELSE '+discount' END)`,
    sql`p.period, up.discount_id`,
  );
  return sql`SELECT a.account_number AS account_number,
  CASE WHEN ob.id IS NOT NULL THEN 'pool owner' WHEN pb.id IS NOT NULL THEN 'pool member' ELSE 'no pool' END AS pool_role,
  CASE WHEN a.parent_id IS NULL THEN 0 ELSE 1 END AS is_child,
  (SELECT ${traits} FROM user_packages up JOIN packages p ON p.id = up.package_id WHERE up.account_id = a.id) AS package_traits
FROM accounts a LEFT JOIN minute_buckets ob ON ob.account_id = a.id LEFT JOIN minute_buckets pb ON pb.account_id = a.parent_id`;
}
