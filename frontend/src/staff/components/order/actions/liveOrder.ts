import type { InjectionKey, Ref } from 'vue'
import type { AllowedAction, StaffOrder } from '../../../schema'

/**
 * The order as the page last read it, for the dialog open on it. The dialog itself keeps the order
 * it was opened on, so that reading the order again (the workflow moves it on, the page polls)
 * does not draw its form again under the user's hand; it sends the version read last while its
 * action is still offered as it was opened, and says so when it no longer is.
 */
export interface LiveOrder {
  order: Readonly<Ref<StaffOrder>>
  /** Whether the order as read last still offers the dialog's action with the same terms. */
  allowed: Readonly<Ref<boolean>>
}

export const LIVE_ORDER: InjectionKey<LiveOrder> = Symbol('liveOrder')

/** The same action with the same terms: its choices, its latest deadline and what it needs. */
export function sameTerms(a: AllowedAction, b: AllowedAction): boolean {
  const terms = (x: AllowedAction) => JSON.stringify([x.action, x.choices, x.latest, x.needs])
  return terms(a) === terms(b)
}
