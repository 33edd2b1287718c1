/**
 * Shapes of the admin endpoints that are not (yet) in the generated schema (schema.d.ts), and the
 * small rules the admin screens share. Switch a type to the generated one once it appears there.
 */
import { ElMessageBox } from 'element-plus'
import 'element-plus/es/components/message-box/style/css'
import { ApiError } from '../../lib/api'
import { staffApi } from '../api'
import type * as schema from '../schema'
import type { Role } from '../session'

// The admin endpoints' shapes, generated from the OpenAPI document (schema.d.ts).
export type StaffUser = schema.StaffUser
export type NewUser = schema.NewAccount
export type CreatedUser = schema.NewStaffUser
export type UserEdit = schema.AccountEdit
export type PasswordReset = schema.TemporaryPassword
export type UnitKindName = schema.UnitKind
export type AdminUnit = schema.Unit
export type UnitEdit = schema.UnitEdit
export type ApiClientItem = schema.ApiClientView
export type AuditItem = schema.AuditEntry

// --- shared rules ---------------------------------------------------------------------------

/** Roles of a unit's staff: they need a unit. The hotline centre's roles have none. */
export const UNIT_ROLES: readonly Role[] = ['handler', 'unit_leader']
export const HOTLINE_ROLES: readonly Role[] = ['operator', 'dispatcher', 'supervisor', 'analyst', 'admin']

export const USERNAME = /^[a-z][a-z0-9._-]{2,63}$/
export const EMAIL = /^[^@\s]{1,64}@[^@\s]{1,190}\.[a-z]{2,24}$/
export const CLIENT_SLUG = /^[a-z0-9-]{2,40}$/
export const UNIT_ID: Record<UnitKindName, RegExp> = {
  street: /^\d{9}$/,
  district: /^\d{6}$/,
  department: /^[a-z0-9][a-z0-9-]{1,39}$/,
  enterprise: /^[a-z0-9][a-z0-9-]{1,39}$/,
}

/** Which rule of the roles and unit a user breaks, as a message key under staff.admin.users.rules. */
export function rolesProblem(roles: readonly string[]): string | null {
  if (!roles.length) return 'noRole'
  const unitRole = roles.some((r) => (UNIT_ROLES as readonly string[]).includes(r))
  const hotlineRole = roles.some((r) => (HOTLINE_ROLES as readonly string[]).includes(r))
  if (unitRole && hotlineRole) return 'mixed'
  return null
}

export function unitProblem(roles: readonly string[], unit: string | null | undefined): string | null {
  const unitRole = roles.some((r) => (UNIT_ROLES as readonly string[]).includes(r))
  const hotlineRole = roles.some((r) => (HOTLINE_ROLES as readonly string[]).includes(r))
  if (unitRole && !unit) return 'unitNeeded'
  if (hotlineRole && !unitRole && unit) return 'noUnit'
  return null
}

/** Someone else saved first (the version read is stale) or the record exists already. */
export function isConflict(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409
}

/** The same failure with our own sentence (the server's is generic and in English). */
export function restated(error: unknown, message: string): unknown {
  return error instanceof ApiError ? new ApiError(error.status, error.code, message, error.details) : error
}

/** A server field path's first segment ("limits.tiers.2h.deadline" → "limits"), for the form's fields. */
export function fieldErrors(error: unknown, fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  if (!(error instanceof ApiError)) return out
  for (const d of error.details) {
    const key = fields.find((f) => d.field === f || d.field.startsWith(`${f}.`))
    if (key) out[key] = out[key] ? `${out[key]}; ${d.message}` : d.message
  }
  return out
}

/** Seconds as the largest whole unit: 7200 → {value: 2, unit: 'hour'}. */
export type TimeUnit = 'minute' | 'hour' | 'day'
export const UNIT_SECONDS: Record<TimeUnit, number> = { minute: 60, hour: 3600, day: 86400 }

export function splitSeconds(seconds: number): { value: number; unit: TimeUnit } {
  if (seconds % UNIT_SECONDS.day === 0) return { value: seconds / UNIT_SECONDS.day, unit: 'day' }
  if (seconds % UNIT_SECONDS.hour === 0) return { value: seconds / UNIT_SECONDS.hour, unit: 'hour' }
  return { value: Math.round(seconds / 60), unit: 'minute' }
}

/** Copies text to the clipboard; false when the browser refuses (no secure context). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    return false
  }
}

// --- the units, read once for the pickers ------------------------------------------------------

let unitsOnce: Promise<AdminUnit[]> | null = null

/** Every unit (GET /staff/units), fetched once per page load and again after a failure or an edit. */
export function loadUnits(): Promise<AdminUnit[]> {
  unitsOnce ??= staffApi<{ items: AdminUnit[] }>('GET', '/units').then(
    (r) => r.items,
    (e: unknown) => {
      unitsOnce = null
      throw e
    },
  )
  return unitsOnce
}

export function forgetUnits(): void {
  unitsOnce = null
}

/** Asks before a destructive step; true when the user confirmed. */
export async function confirmDanger(message: string, title: string, confirm: string, cancel: string): Promise<boolean> {
  try {
    await ElMessageBox.confirm(message, title, {
      type: 'warning',
      confirmButtonText: confirm,
      cancelButtonText: cancel,
      confirmButtonClass: 'el-button--danger',
      customClass: 'admin-confirm',
      autofocus: false,
    })
    return true
  } catch {
    return false
  }
}

/** An option of a select: the value sent and the text shown. */
export interface Choice {
  value: string
  label: string
}

/** A duration for reading: "2 小时", "7 天". */
/**
 * A tier as a person names it: "24h" → "24小时", "7d" → "7天" (the tiers are named by their
 * deadline, domain/deadlines.py); a name an administrator chose otherwise is shown as it is.
 */
export function tierLabel(name: string, t: (key: string, values?: Record<string, unknown>) => string): string {
  const found = /^(\d+)\s*(min|m|h|d)$/i.exec(name.trim())
  if (!found) return name
  const unit = { min: 'minute', m: 'minute', h: 'hour', d: 'day' }[found[2]!.toLowerCase()] ?? 'day'
  return t(`staff.admin.limits.tierName.${unit}`, { n: Number(found[1]) })
}

export function durationText(seconds: number, t: (key: string) => string): string {
  const { value, unit } = splitSeconds(seconds)
  return `${value} ${t(`staff.admin.limits.unit.${unit}`)}`
}
