import { staffApi } from '../../api'
import type { Category, PageCategory, PagePartner, PageUnit, Partner, Unit } from '../../schema'

/** Reference data the order screens pick from: fetched once per page load, again after a failure. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null
  return () => {
    pending ??= load().catch((e: unknown) => {
      pending = null
      throw e
    })
    return pending
  }
}

export const loadUnits = once<Unit[]>(async () => (await staffApi<PageUnit>('GET', '/units')).items)
export const loadCatalogue = once<Category[]>(async () => (await staffApi<PageCategory>('GET', '/catalogue')).items)
export const loadPartners = once<Partner[]>(async () => (await staffApi<PagePartner>('GET', '/partners')).items)
