-- Recurrence (未诉先办): the same place and category coming back after an order there was closed.
-- Places are keyed hashes of street and address; the latest order names the place to the unit
-- that may open it. Orders of the two months before are read so a return early in the month is
-- seen.
-- parameters: first month, month, month, month ('YYYY-MM')
WITH latest AS (
  SELECT *
  FROM order_facts AS f
  WHERE f.month BETWEEN ? AND ? AND place IS NOT NULL AND category IS NOT NULL AND status <> 'merged'
),
-- A place and category with one order cannot recur: only the few with more are put in sequence
-- (counting each pair is cheaper than sorting every order of three months by place and time).
counted AS (
  SELECT *, count(*) OVER (PARTITION BY place, category) AS orders_here
  FROM latest
),
sequenced AS (
  SELECT
    *,
    max(closed_at) OVER (
      PARTITION BY place, category ORDER BY created_at, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS closed_before
  FROM counted
  WHERE orders_here > 1
)
SELECT
  place,
  category,
  max(district) AS district,
  max(street) AS street,
  max_by(unit, created_at) AS unit,
  count(*) AS orders,
  count_if(month = ? AND closed_before IS NOT NULL AND created_at > closed_before) AS recurrences,
  max_by(id, created_at) AS latest_order,
  max(created_at) AS latest_at
FROM sequenced
GROUP BY place, category
HAVING count_if(month = ? AND closed_before IS NOT NULL AND created_at > closed_before) > 0
ORDER BY recurrences DESC, orders DESC, place, category
LIMIT 500
