/**
 * The dispatch catalogue's three levels, as GB/T 39666-2020 has them: 大类 (`major`) › 中类
 * (`group`) › 小类 (the category). The public categories list names every level; the staff
 * catalogue has the codes only, and takes the names from it.
 */

/** A 小类 with the codes and names of its 中类 and 大类. */
export interface CatalogueEntry {
  code: string
  name: string
  major: string
  major_name: string
  group: string
  group_name: string
}

export interface Level {
  code: string
  name: string
}

/** A 大类 and its 中类. */
export interface Major extends Level {
  groups: Level[]
}

/** The separator of a path: "城乡建设与城市管理 › 市政设施 › 路灯照明". */
export const PATH_SEPARATOR = ' › '

const collator = new Intl.Collator('zh-Hans-CN')
const byName = (a: Level, b: Level): number => collator.compare(a.name, b.name) || a.code.localeCompare(b.code)

/** The names of the 大类 and 中类 by code, read from the public categories list. */
export function levelNames(named: readonly Pick<CatalogueEntry, 'major' | 'major_name' | 'group' | 'group_name'>[]): Map<string, string> {
  const names = new Map<string, string>()
  for (const c of named) {
    names.set(c.major, c.major_name)
    names.set(c.group, c.group_name)
  }
  return names
}

/** Staff catalogue items with their levels named (a level no category names keeps its code). */
export function withLevelNames<T extends { code: string; name: string; major: string; group: string }>(
  items: readonly T[],
  names: ReadonlyMap<string, string>,
): (T & CatalogueEntry)[] {
  return items.map((c) => ({ ...c, major_name: names.get(c.major) ?? c.major, group_name: names.get(c.group) ?? c.group }))
}

/** The 大类 with their 中类, each in name order. */
export function levels(entries: readonly CatalogueEntry[]): Major[] {
  const majors = new Map<string, { name: string; groups: Map<string, string> }>()
  for (const c of entries) {
    const major = majors.get(c.major) ?? { name: c.major_name, groups: new Map<string, string>() }
    major.groups.set(c.group, c.group_name)
    majors.set(c.major, major)
  }
  return [...majors.entries()]
    .map(([code, m]) => ({
      code,
      name: m.name,
      groups: [...m.groups.entries()].map(([g, name]) => ({ code: g, name })).sort(byName),
    }))
    .sort(byName)
}

/** An option of the three-level picker (Element Plus cascader options). */
export type PickerOption = {
  value: string
  label: string
  children?: PickerOption[]
}

/**
 * The catalogue as a tree: 大类 › 中类 › 小类. Only the 小类 are chosen, so only their values are
 * codes; a level's value is prefixed so that it can never be taken for a category.
 */
export function catalogueTree(entries: readonly CatalogueEntry[]): PickerOption[] {
  const inGroup = new Map<string, Level[]>()
  for (const c of entries) {
    const key = `${c.major}/${c.group}`
    inGroup.set(key, [...(inGroup.get(key) ?? []), { code: c.code, name: c.name }])
  }
  return levels(entries).map((major) => ({
    value: `major:${major.code}`,
    label: major.name,
    children: major.groups.map((group) => ({
      value: `group:${major.code}/${group.code}`,
      label: group.name,
      children: (inGroup.get(`${major.code}/${group.code}`) ?? [])
        .sort(byName)
        .map((c) => ({ value: c.code, label: c.name })),
    })),
  }))
}

/** "大类 › 中类", or "" when neither is known. */
export function levelPath(c: Partial<Pick<CatalogueEntry, 'major_name' | 'group_name'>>): string {
  return [c.major_name, c.group_name].filter((name): name is string => !!name).join(PATH_SEPARATOR)
}

/** "大类 › 中类 › 小类". */
export function categoryPath(c: Pick<CatalogueEntry, 'name' | 'major_name' | 'group_name'>): string {
  return [levelPath(c), c.name].filter(Boolean).join(PATH_SEPARATOR)
}
