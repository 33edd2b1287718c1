import { onBeforeUnmount, ref, watch, type Ref } from 'vue'
import { Cancelled, suggest } from './api'
import type { SuggestionForm as SuggestionQuery, Suggestions } from './schema'

/** Wait this long after the last keystroke before asking. */
export const DEBOUNCE_MS = 400
/** Shorter texts say too little to classify. */
export const MIN_CHARS = 6

/**
 * Suggestions for the text being written: asked DEBOUNCE_MS after the last change, only for
 * MIN_CHARS or more, and a newer text cancels the request still running for an older one.
 * A failure only means no suggestions: the form works without them.
 */
export function useSuggestions(query: () => SuggestionQuery | null): {
  suggestions: Ref<Suggestions | null>
  pending: Ref<boolean>
} {
  const suggestions = ref<Suggestions | null>(null)
  const pending = ref(false)
  let timer: number | undefined
  let running: AbortController | null = null
  let asked = ''

  function cancel(): void {
    window.clearTimeout(timer)
    running?.abort()
    running = null
  }

  async function ask(q: SuggestionQuery): Promise<void> {
    const key = JSON.stringify(q)
    if (key === asked) {
      pending.value = false
      return
    }
    running?.abort()
    const mine = new AbortController()
    running = mine
    try {
      const answer = await suggest(q, mine.signal)
      if (running !== mine) return
      suggestions.value = answer
      asked = key
    } catch (error) {
      if (error instanceof Cancelled || running !== mine) return
      console.warn('suggestions unavailable', error)
    } finally {
      if (running === mine) {
        running = null
        pending.value = false
      }
    }
  }

  function schedule(q: SuggestionQuery | null): void {
    cancel()
    if (!q || [...q.content.trim()].length < MIN_CHARS) {
      suggestions.value = null
      asked = ''
      pending.value = false
      return
    }
    pending.value = true
    timer = window.setTimeout(() => void ask(q), DEBOUNCE_MS)
  }

  watch(query, schedule, { deep: true })
  onBeforeUnmount(cancel)

  return { suggestions, pending }
}
