-- Volume, resolution and satisfaction per category and month over a span of months: the trend
-- charts, a topic's evidence, and how an adopted topic's volume moves in the months after.
-- parameters: first month, last month ('YYYY-MM')
WITH latest AS (
  SELECT *
  FROM (
    SELECT f.*, row_number() OVER (PARTITION BY f.id ORDER BY f.version DESC) AS nth
    FROM order_facts AS f
    WHERE f.month BETWEEN ? AND ?
  ) AS versions
  WHERE nth = 1 AND status <> 'merged'
)
SELECT
  month,
  coalesce(category, 'unclassified') AS category,
  count(*) AS orders,
  count_if(evaluated_at IS NOT NULL) AS followed_up,
  count_if(resolved) AS resolved,
  count_if(satisfaction IN ('satisfied', 'basically_satisfied')) AS satisfied
FROM latest
GROUP BY month, coalesce(category, 'unclassified')
ORDER BY month, category
