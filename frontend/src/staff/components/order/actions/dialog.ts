import { computed, unref, type MaybeRef } from 'vue'
import type { FormRules } from 'element-plus'
import type { AllowedAction, StaffOrder } from '../../../schema'

/** What one action's dialog sends: its form and rules, the call's path and body. */
export interface DialogCall {
  form?: Record<string, unknown>
  rules?: MaybeRef<FormRules>
  /** The call's path under /staff (orderPath for the order's own routes). */
  path: () => string
  body?: () => Record<string, unknown>
  /** Its reference data (units, catalogue, partners) failed to load. */
  failed?: MaybeRef<boolean>
}

/** The scaffold's props for one action's dialog: `<ActionDialog v-bind="dialog">`. */
export function useDialog(props: { order: StaffOrder; action: AllowedAction }, call: DialogCall) {
  return computed(() => ({
    order: props.order,
    action: props.action,
    form: call.form ?? {},
    rules: unref(call.rules) ?? {},
    path: call.path(),
    body: call.body ?? (() => ({})),
    referenceFailed: unref(call.failed) ?? false,
  }))
}
