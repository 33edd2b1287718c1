-- Hotspots (daily early warning): streets whose requests in a category over the last seven days
-- jumped above their own weekly baseline of the eight weeks before. Weeks are counted back from
-- the end of the day in epoch seconds (no date_diff: its meaning differs between engines).
-- parameters: first month, last month ('YYYY-MM'), end, end, end (epoch seconds),
--             least orders in the week, ratio to the baseline
WITH latest AS (
  SELECT *
  FROM order_facts AS f
  WHERE f.month BETWEEN ? AND ? AND street IS NOT NULL AND category IS NOT NULL AND status <> 'merged'
),
aged AS (
  SELECT street, district, category, CAST(floor((? - created_at) / 604800.0) AS integer) AS week
  FROM latest
  WHERE created_at < ? AND created_at >= ? - 9 * 604800
),
weekly AS (
  SELECT street, district, category, week, count(*) AS orders
  FROM aged
  GROUP BY street, district, category, week
),
compared AS (
  SELECT
    street,
    district,
    category,
    sum(CASE WHEN week = 0 THEN orders ELSE 0 END) AS this_week,
    CAST(sum(CASE WHEN week BETWEEN 1 AND 8 THEN orders ELSE 0 END) AS double) / 8 AS baseline
  FROM weekly
  GROUP BY street, district, category
)
SELECT street, district, category, this_week, round(baseline, 2) AS baseline
FROM compared
WHERE this_week >= ? AND this_week >= ? * baseline
ORDER BY this_week - baseline DESC, street, category
