import type { ComposerTranslation } from 'vue-i18n'

type Te = (key: string) => boolean

/** A timeline action as the back office says it; an unknown code is shown as it is. */
export function actionLabel(t: ComposerTranslation, te: Te, action: string): string {
  const key = `staff.hotline.actions.${action}`
  return te(key) ? t(key) : action
}

/** Who acted: the role (or "system"); the user name when there is one. */
export function actorLabel(t: ComposerTranslation, te: Te, role: string, actor?: string | null): string {
  const key = `staff.hotline.actors.${role}`
  const name = te(key) ? t(key) : role
  return actor ? `${name} ${actor}` : name
}

/** A rate 0..1 as a percentage with one decimal; null when there was nothing to rate. */
export function percent(rate: number | null | undefined): string | null {
  return rate === null || rate === undefined ? null : `${(rate * 100).toFixed(1)}%`
}

/** The current month in Beijing, YYYY-MM, whatever the browser's zone. */
export function beijingMonth(now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
    .formatToParts(now)
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {})
  return `${parts.year}-${parts.month}`
}
