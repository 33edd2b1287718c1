-- Compaction (daily), second step: every order's versions but its latest removed from the facts,
-- so that each order has one row (compact.sql added the day's versions). Orders with one row are
-- untouched; only the id, month and version columns are read to find the others.
-- parameters: none
MERGE INTO order_facts AS f
USING (
  SELECT id, month, max(version) AS version
  FROM order_facts
  GROUP BY id, month
  HAVING count(*) > 1
) AS latest
ON f.month = latest.month AND f.id = latest.id
WHEN MATCHED AND f.version < latest.version THEN DELETE
