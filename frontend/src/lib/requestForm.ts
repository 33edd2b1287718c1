import { computed, onMounted, reactive, ref, watch, type Ref } from 'vue'
import type { FormItemRule } from 'element-plus'
import { getCategories, getDivisions } from './api'
import type { District, PlaceSuggestion as SuggestedPlace, PublicCategory as Category, Suggestions } from './schema'

/** What the public form and the operator's intake share: the request's fields and their rules. */

export const MOBILE = /^1[3-9]\d{9}$/

export function normalisedPhone(value: string): string {
  return value.replace(/[\s-]/g, '')
}

export function textLength(value: string): number {
  return [...value.trim()].length
}

export type Check = (value: unknown) => string | null

/** An Element Plus rule from a check that answers the message to show, or null. */
export function rule(check: Check, trigger: string | string[], required = false): FormItemRule {
  return {
    required,
    trigger,
    validator: (_rule, value, callback) => {
      const message = check(value)
      if (message) callback(new Error(message))
      else callback()
    },
  }
}

interface Located {
  location: { district: string; street: string }
}

/**
 * The divisions and the catalogue, loaded when the form mounts; `streets` are the chosen
 * district's, and a street that is not in a newly chosen district is cleared.
 */
export function useReferences<F extends Located>(form: F, failed: (error: unknown) => string) {
  const divisions = ref<District[]>([])
  const categories = ref<Category[]>([])
  const loading = ref(true)
  const error = ref('')
  const streets = computed(() => divisions.value.find((d) => d.code === form.location.district)?.streets ?? [])

  async function load(): Promise<void> {
    loading.value = true
    error.value = ''
    const [d, c] = await Promise.allSettled([getDivisions(), getCategories()])
    if (d.status === 'fulfilled') divisions.value = d.value
    if (c.status === 'fulfilled') categories.value = c.value
    const failure = d.status === 'rejected' ? d.reason : c.status === 'rejected' ? c.reason : null
    if (failure) error.value = failed(failure)
    loading.value = false
  }

  watch(
    () => form.location.district,
    () => {
      if (form.location.street && !streets.value.some((s) => s.code === form.location.street)) {
        form.location.street = ''
      }
    },
  )
  onMounted(load)
  return { divisions, categories, loading, error, streets, load }
}

/**
 * The place the request's text names fills an empty district in, with its street (the requester
 * or operator can change it); a place chosen by hand is never overwritten. `place` is the place
 * so filled while the location still is that place, for the hint that says where it came from.
 */
export function usePlaceFromText<F extends Located>(form: F, suggestions: Ref<Suggestions | null>) {
  const place = ref<SuggestedPlace | null>(null)
  watch(
    () => suggestions.value?.place ?? null,
    (found) => {
      if (!found || form.location.district) return
      form.location.district = found.district
      form.location.street = found.street ?? ''
      place.value = found
    },
  )
  watch(
    () => [form.location.district, form.location.street],
    ([district, street]) => {
      const filled = place.value
      if (filled && (district !== filled.district || (street || null) !== filled.street)) place.value = null
    },
  )
  return place
}

/** "东城区 安定门街道": how the hint names a place. */
export function placeName(place: SuggestedPlace): string {
  return [place.district_name, place.street_name].filter(Boolean).join(' ')
}

/** The server's field errors, by dotted path; each disappears as soon as its field is edited. */
export function useServerErrors(form: object, fields: readonly string[]) {
  const errors = reactive<Record<string, string>>({})
  const read = (path: string): unknown =>
    path.split('.').reduce<unknown>((obj, key) => (obj as Record<string, unknown> | undefined)?.[key], form)
  for (const field of fields) {
    watch(
      () => read(field),
      () => {
        if (errors[field]) delete errors[field]
      },
    )
  }
  function clear(): void {
    for (const key of Object.keys(errors)) delete errors[key]
  }
  return { errors, clear }
}
