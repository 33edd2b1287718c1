-- Volume, resolution and satisfaction per category and month over a span of months, city-wide
-- (district NULL) and in each district: the trend charts, a topic's evidence, and how an adopted
-- topic's volume moves in the months after. One pass over the facts (grouping sets).
-- parameters: first month, last month ('YYYY-MM')
WITH latest AS (
  SELECT month, coalesce(category, 'unclassified') AS category, district, evaluated_at, resolved, satisfaction
  FROM order_facts AS f
  WHERE f.month BETWEEN ? AND ? AND status <> 'merged'
)
SELECT
  month,
  category,
  CASE WHEN grouping(district) = 0 THEN coalesce(district, 'unknown') END AS district,
  count(*) AS orders,
  count_if(evaluated_at IS NOT NULL) AS followed_up,
  count_if(resolved) AS resolved,
  count_if(satisfaction IN ('satisfied', 'basically_satisfied')) AS satisfied
FROM latest
GROUP BY GROUPING SETS ((month, category), (month, category, district))
ORDER BY month, category, district NULLS FIRST
