-- Compaction (daily): the order changes of the days ? to ? ('YYYY-MM-DD', Beijing), newline-
-- delimited JSON partitioned by the day of the change, appended to the Parquet facts partitioned by
-- the month each order was created in. Only an order's last change of those days is kept: the
-- monthly queries read the latest version of every order.
-- parameters: first day, last day
INSERT INTO order_facts
SELECT
  id, version, changed_at, created_at, type, channel, status, category, district, street, place,
  requester, requester_kind, unit, dispatched_at, signed_at, sign_late, contacted_at, contact_late,
  replied_at, deadline, overdue, extensions, reopened, evaluated_at, resolved, satisfaction,
  closed_at, reason, unreasonable, appeal_upheld, returns, text, month
FROM (
  SELECT
    c.*,
    row_number() OVER (PARTITION BY c.id ORDER BY c.version DESC, c.changed_at DESC) AS nth
  FROM order_changes AS c
  WHERE c.day BETWEEN ? AND ?
) AS changes
WHERE nth = 1
