import { i18n } from '../i18n'
import common from './locales/common'
import hotline from './locales/hotline'
import orders from './locales/orders'
import admin from './locales/admin'
import analytics from './locales/analytics'
import worklists from './locales/worklists'
import inbox from './locales/inbox'

type Messages = Record<string, unknown>
type Area = Record<'zh-CN' | 'en', Messages>

const AREAS: Record<string, Area> = { common, hotline, orders, admin, analytics, worklists, inbox }

let merged = false

/** The portal's messages live in its own chunk: merged once, when the portal first opens. */
export function loadStaffMessages(): void {
  if (merged) return
  merged = true
  for (const locale of ['zh-CN', 'en'] as const) {
    const staff: Messages = {}
    for (const [name, area] of Object.entries(AREAS)) staff[name] = area[locale]
    i18n.global.mergeLocaleMessage(locale, { staff })
  }
}
