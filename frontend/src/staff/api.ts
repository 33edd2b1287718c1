import { ApiError, call } from '../lib/api'
import { router } from '../router'
import { idToken, signOut } from './session'

/**
 * A call to /api/v1/staff with the signed-in user's ID token. A 401 (expired or revoked session)
 * signs out and returns to the sign-in page, which brings the user back here afterwards.
 */
export async function staffApi<T>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<T> {
  const token = await idToken()
  if (!token) {
    expired()
    throw new ApiError(401, 'unauthenticated', '')
  }
  try {
    return await call<T>(method, `/staff${path}`, body, { ...headers, Authorization: `Bearer ${token}` }, signal)
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) expired()
    throw error
  }
}

function expired(): void {
  signOut()
  const here = router.currentRoute.value
  if (here.name !== 'staff-sign-in') {
    void router.replace({ name: 'staff-sign-in', query: { next: here.fullPath, expired: '1' } })
  }
}

/** A query string from the set values only (`undefined`, `null` and '' are left out). */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}

export const enc = encodeURIComponent
