-- Compaction (daily): the order changes of the days ? to ? ('YYYY-MM-DD', Beijing), newline-
-- delimited JSON partitioned by the day of the change, merged into the facts: an Iceberg table with
-- one row per order, partitioned by the month the order was created in. An order's last change of
-- those days replaces the row it had, unless the row is already as new (a day compacted again);
-- so no query has to look for an order's latest version.
-- parameters: first day, last day
MERGE INTO order_facts AS f
USING (
  SELECT *
  FROM (
    SELECT
      c.*,
      row_number() OVER (PARTITION BY c.id ORDER BY c.version DESC, c.changed_at DESC) AS nth
    FROM order_changes AS c
    WHERE c.day BETWEEN ? AND ?
  ) AS changes
  WHERE nth = 1
) AS c
ON f.month = c.month AND f.id = c.id
WHEN MATCHED AND c.version > f.version THEN UPDATE SET
  version = c.version, changed_at = c.changed_at, created_at = c.created_at, type = c.type,
  channel = c.channel, status = c.status, category = c.category, district = c.district,
  street = c.street, place = c.place, requester = c.requester,
  requester_kind = c.requester_kind, unit = c.unit, dispatched_at = c.dispatched_at,
  signed_at = c.signed_at, sign_late = c.sign_late, contacted_at = c.contacted_at,
  contact_late = c.contact_late, replied_at = c.replied_at, deadline = c.deadline,
  overdue = c.overdue, extensions = c.extensions, reopened = c.reopened,
  evaluated_at = c.evaluated_at, resolved = c.resolved, satisfaction = c.satisfaction,
  closed_at = c.closed_at, reason = c.reason, unreasonable = c.unreasonable,
  appeal_upheld = c.appeal_upheld, returns = c.returns, text = c.text
WHEN NOT MATCHED THEN INSERT (
  id, version, changed_at, created_at, type, channel, status, category, district, street, place,
  requester, requester_kind, unit, dispatched_at, signed_at, sign_late, contacted_at,
  contact_late, replied_at, deadline, overdue, extensions, reopened, evaluated_at, resolved,
  satisfaction, closed_at, reason, unreasonable, appeal_upheld, returns, text, month
) VALUES (
  c.id, c.version, c.changed_at, c.created_at, c.type, c.channel, c.status, c.category,
  c.district, c.street, c.place, c.requester, c.requester_kind, c.unit, c.dispatched_at,
  c.signed_at, c.sign_late, c.contacted_at, c.contact_late, c.replied_at, c.deadline, c.overdue,
  c.extensions, c.reopened, c.evaluated_at, c.resolved, c.satisfaction, c.closed_at, c.reason,
  c.unreasonable, c.appeal_upheld, c.returns, c.text, c.month
)
