import type { FormItemRule } from 'element-plus'
import { useI18n } from 'vue-i18n'

/** The dialogs' field rules, worded in the portal's language (the API checks the same limits). */
export function useRules() {
  const { t } = useI18n()
  const required = (field: string): FormItemRule => ({
    required: true,
    message: t('staff.orders.act.required', { field: t(`staff.orders.act.fields.${field}`) }),
    trigger: 'change',
  })
  /** A text the user must write, between `min` and `max` characters. */
  const text = (field: string, min: number, max: number): FormItemRule[] => [
    { ...required(field), trigger: 'blur' },
    { min, max, message: t('staff.orders.act.length', { min, max }), trigger: 'blur' },
  ]
  /** A text the user may leave empty, at most `max` characters. */
  const optional = (max: number): FormItemRule[] => [{ max, message: t('staff.orders.act.tooLong', { max }), trigger: 'blur' }]
  /** One to five units. */
  const units = (): FormItemRule[] => [
    { type: 'array', required: true, min: 1, max: 5, message: t('staff.orders.act.unitsCount'), trigger: 'change' },
  ]
  return { required, text, optional, units }
}

export const DAY = 86_400_000

/** A trimmed text, or null when nothing was written (the API's optional notes). */
export const orNull = (s: string): string | null => (s.trim() ? s.trim() : null)
