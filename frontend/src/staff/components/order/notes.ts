import type { ComposerTranslation } from 'vue-i18n'
import { formatBeijingWords } from '../../../lib/format'

/** An event as the API gives it: the system's words as a code with parameters (docs/api.md). */
export interface CodedEvent {
  code?: string | null
  params?: Record<string, string>
}

type Te = (key: string) => boolean

/** The codes the requester reads on the tracking page too; the others are the hotline's own. */
export const PUBLIC_CODES = new Set(['settled', 'reinstated', 'reinstated_by_requester', 'knowledge_answer'])

const UNITS = new Set(['lead', 'assisting', 'unit', 'from'])
const TIMES = new Set(['deadline', 'previous_deadline', 'new_deadline', 'due'])
const LABELLED: Record<string, string> = {
  channel: 'staff.orders.channels',
  grounds: 'staff.orders.grounds',
  finding: 'staff.orders.findings',
  why: 'staff.orders.extensionRequests.why',
}

/**
 * What the system says about a timeline event, in the reader's language: its code worded from
 * `staff.orders.notes`, unit ids named, times in Beijing time. Null when the event has no code
 * (older events keep their note, shown as it was written).
 */
export function codeText(
  entry: CodedEvent,
  t: ComposerTranslation,
  te: Te,
  locale: string,
  unitName: (id: string) => string,
): string | null {
  const code = entry.code
  if (!code) return null
  const raw = entry.params ?? {}
  const words: Record<string, string> = {}
  for (const [name, value] of Object.entries(raw)) {
    if (UNITS.has(name)) words[name] = unitName(value)
    else if (name === 'units') words[name] = value.split(',').filter(Boolean).map(unitName).join('、')
    else if (TIMES.has(name)) words[name] = formatBeijingWords(value, locale)
    else if (LABELLED[name] && te(`${LABELLED[name]}.${value}`)) words[name] = t(`${LABELLED[name]}.${value}`)
    else words[name] = value
  }
  const key = code === 'settled' ? `staff.orders.notes.settled.${raw.reason ?? ''}` : `staff.orders.notes.${code}`
  return te(key) ? t(key, words) : t('staff.orders.notes.unknown')
}
