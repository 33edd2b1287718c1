-- A few de-identified words of what people asked (the stream export masked phones, ID-card numbers
-- and plates; confidential orders have no text): the three latest requests of a month per
-- category and district.
-- parameters: month ('YYYY-MM')
WITH latest AS (
  SELECT *
  FROM order_facts AS f
  WHERE f.month = ? AND category IS NOT NULL AND text IS NOT NULL AND status <> 'merged'
),
ranked AS (
  SELECT
    category, district, street, id, created_at, text,
    row_number() OVER (PARTITION BY category, district ORDER BY created_at DESC, id) AS nth
  FROM latest
)
SELECT category, district, street, id, created_at, text
FROM ranked
WHERE nth <= 3
ORDER BY category, district, nth
