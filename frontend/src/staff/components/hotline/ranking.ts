import { computed, type Ref } from 'vue'
import type { Assessment } from '../../schema'

/** How many units the ranking's chart shows. */
const TOP = 10

/** The ranking's chart (督办考核 and 考评排名): the first page of the ranked units, the top ten with a score. */
export function useRankingBars(rows: Ref<Assessment[]>, group: Ref<string>, firstPage: () => boolean) {
  return computed(() =>
    group.value === 'ranked' && firstPage()
      ? rows.value
          .filter((r): r is Assessment & { score: number } => r.score !== null && r.rank !== null)
          .slice(0, TOP)
          .map((r) => ({ name: r.unit.name, score: r.score }))
      : [],
  )
}

/** What a rate is made of: 响应率 98.0% (392/400). */
export function counts(n: number, of: number): string {
  return `(${n}/${of})`
}
