-- Where a month's requests came from: orders per category and street (with the street's
-- district), the evidence of a topic's spatial concentration and the briefing's heat grid.
-- parameters: month ('YYYY-MM')
WITH latest AS (
  SELECT *
  FROM order_facts AS f
  WHERE f.month = ? AND status <> 'merged'
)
SELECT category, district, street, count(*) AS orders
FROM latest
WHERE category IS NOT NULL AND street IS NOT NULL
GROUP BY category, district, street
ORDER BY category, orders DESC, street
