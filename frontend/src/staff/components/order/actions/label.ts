import type { ComposerTranslation } from 'vue-i18n'
import { enc } from '../../../api'
import type { AllowedAction, StaffOrder } from '../../../schema'

export type ActionName = AllowedAction['action']

/** An action's name on its button and its dialog: dispatching a dispatched order is redispatching. */
export function actionLabel(t: ComposerTranslation, name: ActionName, status: string): string {
  if (name === 'dispatch' && status === 'dispatched') return t('staff.orders.act.redispatch')
  return t(`staff.orders.act.names.${name}`)
}

/** The values the order's view allows for a field of the action (`choices`), as strings. */
export function choices(action: AllowedAction, field: string): string[] {
  return (action.choices[field] ?? []).map(String)
}

/** The path of one of the order's own routes (`tail`: `/sign`). */
export function orderPath(order: StaffOrder, tail: string): string {
  return `/work-orders/${enc(order.id)}${tail}`
}
