import type { RouteLocationNormalized, RouteLocationRaw } from 'vue-router'
import { loadStaffMessages } from './i18n'
import { homeRoute, mayOpen } from './nav'
import { session } from './session'

/** Every /staff route: signed in (else to sign-in, and back afterwards), and allowed for the roles. */
export function guard(to: RouteLocationNormalized): true | RouteLocationRaw {
  loadStaffMessages()
  const name = String(to.name ?? '')
  if (name === 'staff-sign-in') return session.value ? { name: homeRoute() } : true
  if (!session.value) return { name: 'staff-sign-in', query: { next: to.fullPath } }
  if (name === 'staff-home') return { name: homeRoute() }
  if (!mayOpen(name)) return { name: homeRoute() }
  return true
}
