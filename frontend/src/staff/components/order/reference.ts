import { getCategories } from '../../../lib/api'
import { levelNames, withLevelNames, type CatalogueEntry } from '../../../lib/catalogue'
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
/** The staff catalogue (codes only) with its 大类 and 中类 named from the public categories list. */
export const loadNamedCatalogue = once<(Category & CatalogueEntry)[]>(async () => {
  const [items, named] = await Promise.all([loadCatalogue(), getCategories()])
  return withLevelNames(items, levelNames(named))
})
export const loadPartners = once<Partner[]>(async () => (await staffApi<PagePartner>('GET', '/partners')).items)
