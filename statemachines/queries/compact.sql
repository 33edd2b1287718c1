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
  c.id, c.version, c.changed_at, c.created_at, c.type, c.channel, c.status, c.category,
  c.district, c.street, c.place, c.requester, c.requester_kind, c.unit, c.dispatched_at,
  c.signed_at, c.sign_late, c.contacted_at, c.contact_late, c.replied_at, c.deadline, c.overdue,
  c.extensions, c.reopened, c.evaluated_at, c.resolved, c.satisfaction, c.closed_at, c.reason,
  c.unreasonable, c.appeal_upheld, c.returns, c.text, c.month
FROM (
  SELECT
    c.*,
    row_number() OVER (PARTITION BY c.id ORDER BY c.version DESC, c.changed_at DESC) AS nth
  FROM order_changes AS c
  WHERE c.day BETWEEN ? AND ?
) AS c
WHERE c.nth = 1
  AND NOT EXISTS (
    SELECT 1 FROM order_facts AS f WHERE f.month = c.month AND f.id = c.id AND f.version >= c.version
  )
