import { onMounted, ref, type Ref } from 'vue'

/** Reference data a dialog picks from (units, catalogue, partners), loaded when it opens. */
export function useReference<T>(load: () => Promise<T[]>): { items: Ref<T[]>; failed: Ref<boolean> } {
  const items = ref<T[]>([]) as Ref<T[]>
  const failed = ref(false)
  onMounted(async () => {
    try {
      items.value = await load()
    } catch {
      failed.value = true
    }
  })
  return { items, failed }
}
