-- Topic candidates (每月一题, Art. 24): each category, and each category in each district, with
-- this month's volume against the previous month's and against the same month of earlier years
-- (their total, and how many earlier years the facts hold that month at all: a year without facts
-- is no history, a year with facts and none of the category is a zero), how the requests were
-- resolved and rated, how many people asked more than once (keyed hashes: counted, never
-- identified) and how many streets it touched. Measuring and ranking them is the store step's;
-- merged duplicates are not counted twice.
-- parameters: month, previous month, first month of the earlier years, month, month, month,
--   previous month, month, month ('YYYY-MM')
WITH latest AS (
  SELECT *
  FROM order_facts AS f
  WHERE (f.month IN (?, ?) OR (f.month >= ? AND f.month < ? AND substr(f.month, 6, 2) = substr(?, 6, 2)))
    AND category IS NOT NULL AND status <> 'merged'
),
this_month AS (
  SELECT * FROM latest WHERE month = ?
),
last_month AS (
  SELECT * FROM latest WHERE month = ?
),
same_month AS (
  SELECT * FROM latest WHERE month < ? AND substr(month, 6, 2) = substr(?, 6, 2)
),
history AS (
  SELECT count(DISTINCT month) AS same_month_years FROM same_month
),
-- How often each requester asked this month, in the category city-wide and in each district: one
-- aggregation for both (grouping sets), not a window over every order and a distinct count each.
asked AS (
  SELECT category, district, grouping(district) AS city_wide, requester, count(*) AS times
  FROM this_month
  WHERE requester IS NOT NULL
  GROUP BY GROUPING SETS ((category, requester), (category, district, requester))
),
askers AS (
  SELECT category, district, city_wide, count(*) AS requesters, count_if(times > 1) AS repeat_requesters
  FROM asked
  GROUP BY category, district, city_wide
),
by_category AS (
  SELECT
    category,
    CAST(NULL AS varchar) AS district,
    count(*) AS orders,
    count_if(evaluated_at IS NOT NULL) AS followed_up,
    count_if(resolved) AS resolved,
    count_if(satisfaction IN ('satisfied', 'basically_satisfied')) AS satisfied,
    count(DISTINCT street) AS streets
  FROM this_month
  GROUP BY category
),
by_district AS (
  SELECT
    category,
    district,
    count(*) AS orders,
    count_if(evaluated_at IS NOT NULL) AS followed_up,
    count_if(resolved) AS resolved,
    count_if(satisfaction IN ('satisfied', 'basically_satisfied')) AS satisfied,
    count(DISTINCT street) AS streets
  FROM this_month
  GROUP BY category, district
),
before_by_category AS (
  SELECT category, count(*) AS previous_orders FROM last_month GROUP BY category
),
before_by_district AS (
  SELECT category, district, count(*) AS previous_orders FROM last_month GROUP BY category, district
),
years_by_category AS (
  SELECT category, count(*) AS same_month_orders FROM same_month GROUP BY category
),
years_by_district AS (
  SELECT category, district, count(*) AS same_month_orders FROM same_month GROUP BY category, district
)
SELECT
  b.category, b.district, b.orders, coalesce(p.previous_orders, 0) AS previous_orders,
  coalesce(y.same_month_orders, 0) AS same_month_orders, h.same_month_years, b.followed_up,
  b.resolved, b.satisfied, coalesce(a.requesters, 0) AS requesters,
  coalesce(a.repeat_requesters, 0) AS repeat_requesters, b.streets
FROM by_category AS b
CROSS JOIN history AS h
LEFT JOIN before_by_category AS p ON p.category = b.category
LEFT JOIN years_by_category AS y ON y.category = b.category
LEFT JOIN askers AS a ON a.city_wide = 1 AND a.category = b.category
UNION ALL
SELECT
  b.category, b.district, b.orders, coalesce(p.previous_orders, 0) AS previous_orders,
  coalesce(y.same_month_orders, 0) AS same_month_orders, h.same_month_years, b.followed_up,
  b.resolved, b.satisfied, coalesce(a.requesters, 0) AS requesters,
  coalesce(a.repeat_requesters, 0) AS repeat_requesters, b.streets
FROM by_district AS b
CROSS JOIN history AS h
LEFT JOIN before_by_district AS p ON p.category = b.category AND p.district = b.district
LEFT JOIN years_by_district AS y ON y.category = b.category AND y.district = b.district
LEFT JOIN askers AS a
  ON a.city_wide = 0 AND a.category = b.category AND a.district IS NOT DISTINCT FROM b.district
ORDER BY orders DESC, category, district NULLS FIRST
