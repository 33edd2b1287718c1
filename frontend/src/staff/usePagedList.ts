import { computed, ref, watch, type Ref } from 'vue'
import { useRoute, useRouter, type LocationQuery } from 'vue-router'
import { staffApi, query } from './api'

export interface PageOf<T> {
  items: T[]
  next?: string | null
}

type Filters = Record<string, string | undefined>

/**
 * A server-paged list whose filters live in the URL (so a view can be shared and survives reload).
 * `filters` reads and writes the URL query; `cursor` is the page being shown, also in the URL.
 * `load` runs whenever the URL's filters or cursor change (and `ready` says the fixed filters are
 * known); `page` is the whole last answer, for lists that say more than their items.
 */
export function usePagedList<T, P extends PageOf<T> = PageOf<T>>(
  path: string,
  keys: readonly string[],
  fixed: () => Filters = () => ({}),
  ready: () => boolean = () => true,
) {
  const route = useRoute()
  const router = useRouter()
  const items = ref<T[]>([]) as Ref<T[]>
  const page = ref<P | null>(null) as Ref<P | null>
  const next = ref<string | null>(null)
  const loading = ref(false)
  const error = ref<unknown>(null)
  const previous = ref<string[]>([])

  const filters = computed<Filters>(() => pick(route.query, keys))
  const cursor = computed(() => first(route.query.cursor))

  async function load(): Promise<void> {
    if (!ready()) return
    loading.value = true
    error.value = null
    try {
      const answer = await staffApi<P>('GET', `${path}${query({ ...fixed(), ...filters.value, cursor: cursor.value })}`)
      page.value = answer
      items.value = answer.items
      next.value = answer.next ?? null
    } catch (e) {
      error.value = e
      page.value = null
      items.value = []
      next.value = null
    } finally {
      loading.value = false
    }
  }

  /** New filters start from the first page. */
  function setFilters(changes: Filters): void {
    previous.value = []
    const merged = { ...filters.value, ...changes }
    void router.replace({ query: clean({ ...otherQuery(route.query, keys), ...merged }) })
  }

  function nextPage(): void {
    if (!next.value) return
    previous.value = [...previous.value, cursor.value ?? '']
    void router.push({ query: clean({ ...route.query, cursor: next.value }) as LocationQuery })
  }

  function previousPage(): void {
    const stack = [...previous.value]
    const back = stack.pop()
    previous.value = stack
    void router.push({ query: clean({ ...route.query, cursor: back || undefined }) as LocationQuery })
  }

  const hasPrevious = computed(() => !!cursor.value)

  watch(
    () => [path, JSON.stringify(filters.value), cursor.value, JSON.stringify(fixed()), ready()],
    () => void load(),
    { immediate: true },
  )

  return { items, page, next, loading, error, filters, setFilters, nextPage, previousPage, hasPrevious, reload: load }
}

function first(value: LocationQuery[string] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value
  return v ?? undefined
}

function pick(q: LocationQuery, keys: readonly string[]): Filters {
  const out: Filters = {}
  for (const key of keys) {
    const v = first(q[key])
    if (v) out[key] = v
  }
  return out
}

function otherQuery(q: LocationQuery, keys: readonly string[]): Filters {
  const out: Filters = {}
  for (const [key, value] of Object.entries(q)) {
    if (!keys.includes(key) && key !== 'cursor') out[key] = first(value)
  }
  return out
}

function clean(q: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(q)) if (typeof v === 'string' && v !== '') out[k] = v
  return out
}
