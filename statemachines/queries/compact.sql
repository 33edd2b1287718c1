-- Compaction (daily), first of two steps: the order changes of the days ? to ? ('YYYY-MM-DD',
-- Beijing), newline-delimited JSON partitioned by the day of the change, added to the facts (an
-- Iceberg table partitioned by the month each order was created in): each order's last change of
-- those days, unless the facts already hold that version or a later one (a day compacted again
-- adds nothing). The next step (prune.sql) removes the versions this one superseded, so the facts
-- hold one row per order and no query has to look for an order's latest version. Athena binds
-- execution parameters in an INSERT but not in a MERGE: hence two steps.
-- parameters: first day, last day
INSERT INTO order_facts
SELECT
  id, version, changed_at, created_at, type, channel, status, category, district, street, place,
  requester, requester_kind, unit, dispatched_at, signed_at, sign_late, contacted_at,
  contact_late, replied_at, deadline, overdue, extensions, reopened, evaluated_at, resolved,
  satisfaction, closed_at, reason, unreasonable, appeal_upheld, returns, text, month
FROM (
  SELECT
    c.*,
    row_number() OVER (PARTITION BY c.id ORDER BY c.version DESC, c.changed_at DESC) AS nth
  FROM order_changes AS c
  WHERE c.day BETWEEN ? AND ?
) AS changed
WHERE changed.nth = 1
  AND NOT EXISTS (
    SELECT 1
    FROM order_facts AS f
    WHERE f.month = changed.month AND f.id = changed.id AND f.version >= changed.version
  )
