import type { ComposerTranslation } from 'vue-i18n'
import { i18n } from '../i18n'
import { ApiError } from './api'

/**
 * Error codes the API names (docs/api.md) that have a sentence of their own in `errors.codes`:
 * the server's messages are English, so in Chinese the code's sentence is shown instead.
 */
const CODES = new Set([
  'stale_version', 'wrong_status', 'whistle_closed', 'already_reported', 'already_decided',
  'already_adopted', 'already_serving', 'already_adjudicated', 'not_rated', 'deadline_passed',
  'number_taken', 'busy', 'idempotency_key_reused', 'revoked', 'user_exists', 'forbidden',
  'not_found', 'unauthorized', 'too_large', 'internal', 'invalid_input',
  'account_unchanged', 'account_incomplete', 'account_disabled',
  'reopen_limit',
  'unfinished',
  'already_appealed', 'already_excluded', 'appeal_deadline_passed', 'no_appeal', 'appeal_decided',
])

/** The sentence to show for a failed call: the code's own in Chinese, else the server's message. */
export function errorText(error: unknown, t: ComposerTranslation): string {
  if (error instanceof ApiError) {
    if (CODES.has(error.code) && i18n.global.locale.value !== 'en') return t(`errors.codes.${error.code}`)
    if (error.message) return error.message
    if (error.code === 'timeout') return t('errors.timeout')
    if (error.code === 'network_error') return t('errors.network')
    if (error.code === 'no_config') return t('errors.noConfig')
    return t('errors.http', { status: error.status })
  }
  return t('errors.network')
}

/** Server field errors keyed by dotted field path; details that match no known field are returned apart. */
export function splitDetails(
  error: unknown,
  knownFields: readonly string[],
): { byField: Record<string, string>; other: string[] } {
  const byField: Record<string, string> = {}
  const other: string[] = []
  if (error instanceof ApiError) {
    for (const d of error.details) {
      if (knownFields.includes(d.field)) {
        byField[d.field] = byField[d.field] ? `${byField[d.field]}; ${d.message}` : d.message
      } else {
        other.push(d.field ? `${d.field}: ${d.message}` : d.message)
      }
    }
  }
  return { byField, other }
}

/** Moves keyboard focus to the first field marked invalid inside `root`. */
export function focusFirstError(root: HTMLElement | null | undefined): void {
  const field = root?.querySelector<HTMLElement>('.is-error input:not([type=hidden]), .is-error textarea')
  if (field) {
    field.focus({ preventScroll: true })
    field.scrollIntoView({ block: 'center', behavior: 'smooth' })
  }
}
