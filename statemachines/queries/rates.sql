-- The three rates' counts (Art. 32) per receiving unit, for the orders created in a month. The
-- rates, their formulas and the ranking are the store step's (configuration); this query only
-- counts. Orders without a receiving unit (Art. 11 para. 3 outcomes, answered, merged) never
-- count; an order whose reason is in the excluded list, that was judged unreasonable while that
-- exclusion is on, or whose unit's appeal was upheld, is counted as excluded and nowhere else.
-- parameters: month ('YYYY-MM'), excluded reasons (comma-separated), exclude unreasonable (boolean)
WITH latest AS (
  SELECT *
  FROM order_facts AS f
  WHERE f.month = ? AND unit IS NOT NULL AND dispatched_at IS NOT NULL
),
judged AS (
  SELECT
    *,
    coalesce(contains(split(?, ','), reason), false)
      OR (? AND coalesce(unreasonable, false))
      OR coalesce(appeal_upheld, false) AS excluded
  FROM latest
)
SELECT
  unit,
  count_if(NOT excluded) AS dispatched,
  count_if(excluded) AS excluded,
  count_if(NOT excluded AND signed_at IS NOT NULL AND NOT sign_late) AS signed_in_time,
  count_if(NOT excluded AND contacted_at IS NOT NULL AND NOT contact_late) AS contacted_in_time,
  count_if(NOT excluded AND replied_at IS NOT NULL AND NOT overdue) AS replied_in_time,
  count_if(NOT excluded AND overdue) AS overdue,
  count_if(NOT excluded AND evaluated_at IS NOT NULL) AS followed_up,
  count_if(NOT excluded AND resolved) AS resolved,
  count_if(NOT excluded AND satisfaction = 'satisfied') AS satisfied,
  count_if(NOT excluded AND satisfaction = 'basically_satisfied') AS basically_satisfied,
  sum(CASE WHEN excluded THEN 0 ELSE coalesce(returns, 0) END) AS returned
FROM judged
GROUP BY unit
ORDER BY unit
