import { useI18n } from 'vue-i18n'

/** A code's words in the portal's language (`group.value`), or "unknown (code)" for a code it lacks. */
export function useLabel() {
  const { t, te } = useI18n()
  return (group: string, value: string | null | undefined, fallback = 'staff.orders.order.unknown'): string => {
    if (!value) return '—'
    const key = `${group}.${value}`
    return te(key) ? t(key) : t(fallback, { code: value })
  }
}
