import { computed, ref, watch, type Ref } from 'vue'
import type { StaffSummary } from '../../schema'

export type BatchAction = NonNullable<StaffSummary['batch']>[number]

/**
 * The orders selected in a list for one batch action. Which orders may be selected is the
 * server's word (each list item's `batch`); a page read again keeps only those still selectable.
 */
export function useSelection(items: Ref<StaffSummary[]>, action: BatchAction) {
  const ids = ref<string[]>([])
  const selectable = (order: StaffSummary): boolean => (order.batch ?? []).includes(action)
  const candidates = computed(() => items.value.filter(selectable))
  const selected = computed(() => items.value.filter((o) => ids.value.includes(o.id)))

  watch(items, (list) => {
    ids.value = ids.value.filter((id) => list.some((o) => o.id === id && selectable(o)))
  })

  function toggle(order: StaffSummary, on: boolean): void {
    const others = ids.value.filter((id) => id !== order.id)
    ids.value = on && selectable(order) ? [...others, order.id] : others
  }
  function toggleAll(on: boolean): void {
    ids.value = on ? candidates.value.map((o) => o.id) : []
  }
  const all = computed(() => candidates.value.length > 0 && ids.value.length === candidates.value.length)
  const some = computed(() => ids.value.length > 0 && !all.value)

  return { action, ids, selected, candidates, selectable, toggle, toggleAll, all, some, clear: () => toggleAll(false) }
}

export type Selection = ReturnType<typeof useSelection>
