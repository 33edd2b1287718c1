import type { InjectionKey } from 'vue'

/** The order page's unit names (its own units, then the registry), for the dialogs that show units. */
export const UNIT_NAME: InjectionKey<(id: string | null | undefined) => string> = Symbol('unitName')
