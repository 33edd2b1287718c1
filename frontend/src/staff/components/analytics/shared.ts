import { computed, ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import type { ComposerTranslation } from 'vue-i18n'
import { staffApi } from '../../api'
import type { Candidate, MonthRun, Months, Topic } from '../../schema'

export { beijingMonth, percent } from '../hotline/labels'

const MONTH = /^20\d\d-(0[1-9]|1[0-2])$/
const DAY = /^20\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/

export interface Resource<T> {
  data: ShallowRef<T | null>
  loading: Ref<boolean>
  error: Ref<unknown>
  reload: () => Promise<void>
  /** Shows `answer` (what a change answered with) and drops any GET still in flight. */
  replace: (answer: T) => void
}

/**
 * One GET whose path follows the page's state: reloaded whenever `path()` changes; a null path
 * clears it. An answer that arrives after a newer request started is dropped.
 */
export function useResource<T>(path: () => string | null): Resource<T> {
  const data = shallowRef<T | null>(null)
  const loading = ref(false)
  const error = ref<unknown>(null)
  let latest = 0

  async function reload(): Promise<void> {
    const asked = path()
    const mine = ++latest
    if (asked === null) {
      data.value = null
      loading.value = false
      error.value = null
      return
    }
    loading.value = true
    error.value = null
    try {
      const answer = await staffApi<T>('GET', asked)
      if (mine === latest) data.value = answer
    } catch (e) {
      if (mine === latest) {
        error.value = e
        data.value = null
      }
    } finally {
      if (mine === latest) loading.value = false
    }
  }

  function replace(answer: T): void {
    latest++
    data.value = answer
    loading.value = false
    error.value = null
  }

  watch(path, () => void reload(), { immediate: true })
  return { data, loading, error, reload, replace }
}

/** A `month` (YYYY-MM) or `day` (YYYY-MM-DD) parameter of the URL; undefined when absent or malformed. */
export function useQueryParam(name: 'month' | 'day' | 'kind') {
  const route = useRoute()
  const router = useRouter()
  const pattern = name === 'day' ? DAY : name === 'month' ? MONTH : /^[a-z]+$/
  const value = computed(() => {
    const v = route.query[name]
    return typeof v === 'string' && pattern.test(v) ? v : undefined
  })
  function set(next: string | null | undefined): void {
    const query = { ...route.query }
    if (next) query[name] = next
    else delete query[name]
    void router.replace({ query })
  }
  return { value, set }
}

/** The months the monthly analysis has covered, newest first (analysts, supervisors, admins). */
export function useRuns(): Resource<Months> & { runs: Ref<MonthRun[]> } {
  const resource = useResource<Months>(() => '/analytics/months')
  const runs = computed(() => resource.data.value?.items ?? [])
  return { ...resource, runs }
}

/** "YYYY-MM" shifted by `delta` months. */
export function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  const index = y * 12 + (m - 1) + delta
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`
}

/** Months after the current one (Beijing time) cannot be picked. */
export function isFutureMonth(date: Date, current: string): boolean {
  const ym = `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}`
  return ym > current
}

/** A district's government is named "…区人民政府"; the district is what a reader needs. */
export function districtShort(name: string | null | undefined): string {
  return (name ?? '').replace(/人民政府$/, '')
}

/** The version of the dispatch model shipped with the code (the others are named by their run). */
export const SHIPPED = 'shipped'

/** A dispatch model's version as the analysts read it: the shipped one by what it is. */
export function modelLabel(t: ComposerTranslation, version: string): string {
  return version === SHIPPED ? t('staff.analytics.models.shipped') : version
}

/** Who put a model in service: the monthly retraining promotes by itself, else a user name. */
export function servedBy(t: ComposerTranslation, by: string): string {
  return by === 'retraining' ? t('staff.analytics.models.byRetraining') : by
}

/** A candidate's or a topic's group: the category, and the district when it is not city-wide. */
export function groupLabel(t: ComposerTranslation, item: Pick<Candidate | Topic, 'category_name' | 'district_name'>): string {
  const where = item.district_name ? districtShort(item.district_name) : t('staff.analytics.common.cityWide')
  return `${item.category_name} · ${where}`
}

/** A growth ratio (0.25) as "+25.0%"; null when there was nothing before to compare with. */
export function growthText(growth: number | null | undefined): string | null {
  if (growth === null || growth === undefined) return null
  const sign = growth > 0 ? '+' : growth < 0 ? '−' : '±'
  return `${sign}${Math.abs(growth * 100).toFixed(1)}%`
}

/** The change from `before` to `after` as a ratio; null when `before` is 0. */
export function change(before: number, after: number): number | null {
  return before ? (after - before) / before : null
}

export function integer(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString('en-US')
}

export const SIGNALS = ['volume', 'growth', 'low_resolution', 'low_satisfaction', 'repeat_requesters', 'concentrated'] as const

const SIGNAL_TYPES: Record<string, 'primary' | 'warning' | 'danger' | 'info' | 'success'> = {
  volume: 'primary',
  growth: 'warning',
  low_resolution: 'danger',
  low_satisfaction: 'danger',
  repeat_requesters: 'warning',
  concentrated: 'info',
}

export function signalType(signal: string): 'primary' | 'warning' | 'danger' | 'info' | 'success' {
  return SIGNAL_TYPES[signal] ?? 'info'
}
