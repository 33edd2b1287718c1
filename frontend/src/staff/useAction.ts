import { ref } from 'vue'
import { ElMessage } from 'element-plus'
// Imported by hand, so the on-demand resolver does not bring its styles: they come with it here.
import 'element-plus/es/components/message/style/css'
import { useI18n } from 'vue-i18n'
import { errorText } from '../lib/errors'

/**
 * Runs one user action: `busy` is true while it is in flight (bind it to the button's loading and
 * disabled), success and failure are both announced. Returns the result, or undefined on failure;
 * `error` keeps the failure for field-level messages.
 */
export function useAction() {
  const { t } = useI18n()
  const busy = ref(false)
  const error = ref<unknown>(null)

  async function run<T>(work: () => Promise<T>, done?: string): Promise<T | undefined> {
    if (busy.value) return undefined
    busy.value = true
    error.value = null
    try {
      const result = await work()
      if (done) ElMessage({ type: 'success', message: done, grouping: true })
      return result
    } catch (e) {
      error.value = e
      ElMessage({ type: 'error', message: errorText(e, t), grouping: true, duration: 6000 })
      return undefined
    } finally {
      busy.value = false
    }
  }

  return { busy, error, run }
}
