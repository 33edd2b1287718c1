import { onBeforeUnmount, onMounted, readonly, ref } from 'vue'
import { config } from '../../../lib/config'
import { parseInstant } from '../../../lib/format'

/**
 * The demo clock as the server runs it. Locally the workflow's clock runs `timeScale` times faster
 * than the wall clock from the stack's start, which config.json names (`clockEpoch`):
 * demo = epoch + (wall - epoch) x scale. Every time the API sends is a demo-clock time, so a
 * countdown needs the demo "now". In AWS the scale is 1 and demo time is wall time.
 */
export function demoNow(wall: number = Date.now()): number {
  const cfg = config()
  const scale = cfg?.timeScale ?? 1
  const epoch = cfg?.clockEpoch ? parseInstant(cfg.clockEpoch)?.getTime() : undefined
  if (scale === 1 || epoch === undefined) return wall
  return epoch + (wall - epoch) * scale
}

const tick = ref(Date.now())
let users = 0
let timer: number | undefined

/** The wall clock, reactive: one shared timer for every countdown on the page, every second. */
export function useTick() {
  onMounted(() => {
    users += 1
    if (users === 1) {
      tick.value = Date.now()
      timer = window.setInterval(() => {
        tick.value = Date.now()
      }, 1000)
    }
  })
  onBeforeUnmount(() => {
    users -= 1
    if (users === 0) window.clearInterval(timer)
  })
  return readonly(tick)
}

/** Statuses in which a unit holds the order and its deadline runs (domain/handling.py HANDLING). */
const HANDLING = ['dispatched', 'signed', 'in_progress', 'objected', 'reopened'] as const

export function isRunning(status: string): boolean {
  return status === 'received' || (HANDLING as readonly string[]).includes(status)
}
