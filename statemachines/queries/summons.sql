-- Whistles assessed on both sides (Art. 33), for the whistles blown in a month: each summoned
-- department by whether it reported within the limit, each street by the whistles it blew and
-- closed. Rows of summons changes are read from the month's first day on (a whistle blown in the
-- month changes only after it was blown).
-- parameters: month ('YYYY-MM'), the month's first day ('YYYY-MM-DD')
WITH latest AS (
  SELECT *
  FROM (
    SELECT
      s.*,
      row_number() OVER (PARTITION BY s.whistle, s.department ORDER BY s.version DESC) AS nth
    FROM summons_changes AS s
    WHERE s.month = ? AND s.day >= ?
  ) AS versions
  WHERE nth = 1
)
SELECT
  'department' AS side,
  department AS unit,
  count(*) AS summoned,
  count_if(reported_at IS NOT NULL AND reported_at <= report_by) AS reported_in_time,
  count_if(reported_at IS NOT NULL AND reported_at > report_by) AS reported_late,
  count_if(reported_at IS NULL) AS not_reported,
  CAST(NULL AS bigint) AS whistles,
  CAST(NULL AS bigint) AS closed
FROM latest
GROUP BY department
UNION ALL
SELECT
  'street' AS side,
  street AS unit,
  count(*) AS summoned,
  count_if(reported_at IS NOT NULL AND reported_at <= report_by) AS reported_in_time,
  count_if(reported_at IS NOT NULL AND reported_at > report_by) AS reported_late,
  count_if(reported_at IS NULL) AS not_reported,
  count(DISTINCT whistle) AS whistles,
  count(DISTINCT CASE WHEN whistle_closed_at IS NOT NULL THEN whistle END) AS closed
FROM latest
GROUP BY street
ORDER BY side, unit
