-- Labelled requests for the dispatch model's retraining (DESIGN.md section 4): the de-identified
-- words of each closed order of the months asked for, with its final category — after a
-- dispatcher's redispatch and an upheld objection corrected it — and its type. At most 200 per
-- category, the latest first, so that a month of heating complaints does not drown the rest.
-- parameters: first month, last month ('YYYY-MM')
WITH latest AS (
  SELECT *
  FROM order_facts AS f
  WHERE f.month BETWEEN ? AND ? AND status = 'closed' AND category IS NOT NULL AND text IS NOT NULL
    AND (reason IS NULL OR reason = '')
),
ranked AS (
  SELECT category, type, text, row_number() OVER (PARTITION BY category ORDER BY created_at DESC, id) AS nth
  FROM latest
)
SELECT category, type, text
FROM ranked
WHERE nth <= 200
ORDER BY category, nth
