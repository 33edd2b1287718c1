import { computed, reactive } from 'vue'
import { config } from '../lib/config'

/** The roles are the Cognito groups (API.md); hotline-centre staff have no unit. */
export const ROLES = ['operator', 'dispatcher', 'handler', 'unit_leader', 'supervisor', 'analyst', 'admin', 'assessor', 'reviewer'] as const
export type Role = (typeof ROLES)[number]

/** Who is signed in, as the portal shows it. The tokens are not part of it (see `tokens`). */
export interface Session {
  username: string
  roles: Role[]
  unit: string | null
  /** Milliseconds since the epoch when the ID token expires. */
  expiresAt: number
}

interface Tokens {
  idToken: string
  refreshToken: string
}

const EARLY_MS = 60_000
// Where sessions were kept before they moved into memory: cleared so no token stays on disk.
const FORMER_STORAGE_KEY = 'jiesu.staff.session'

/** Cognito refused: `code` is its exception name (NotAuthorizedException, InvalidPasswordException…). */
export class SignInError extends Error {
  readonly code: string

  constructor(code: string, message: string) {
    super(message)
    this.name = 'SignInError'
    this.code = code
  }
}

export type SignInResult = { kind: 'signed-in' } | { kind: 'new-password'; username: string; challenge: string }

interface AuthResult {
  IdToken?: string
  RefreshToken?: string
  ExpiresIn?: number
}

interface CognitoAnswer {
  AuthenticationResult?: AuthResult
  ChallengeName?: string
  Session?: string
}

/**
 * The tokens live in this module's scope only: not in localStorage, sessionStorage, a cookie, a
 * global or any reactive state a component could reach, so a script that found its way into the
 * page cannot read them and carry them off. The price: a reload or a new tab signs in again
 * (README, Security of the pages).
 */
let tokens: Tokens | null = null
const state = reactive<{ session: Session | null }>({ session: null })

export const session = computed(() => state.session)

try {
  window.localStorage.removeItem(FORMER_STORAGE_KEY)
} catch {
  // storage unavailable: nothing was kept there either
}

function store(value: { session: Session; tokens: Tokens } | null): void {
  tokens = value?.tokens ?? null
  state.session = value?.session ?? null
}

function claims(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? ''
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=')
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>
}

function fromTokens(result: AuthResult, refreshToken: string): { session: Session; tokens: Tokens } {
  const idToken = result.IdToken ?? ''
  const c = claims(idToken)
  const groups = Array.isArray(c['cognito:groups']) ? (c['cognito:groups'] as unknown[]) : []
  const exp = typeof c.exp === 'number' ? c.exp * 1000 : Date.now() + (result.ExpiresIn ?? 3600) * 1000
  return {
    session: {
      username: String(c['cognito:username'] ?? c.sub ?? ''),
      roles: ROLES.filter((r) => groups.includes(r)),
      unit: typeof c['custom:unit'] === 'string' && c['custom:unit'] ? c['custom:unit'] : null,
      expiresAt: exp,
    },
    tokens: { idToken, refreshToken },
  }
}

/** One call to Cognito's user-pool API (the local stack's moto in development, AWS otherwise). */
async function cognito(target: string, body: Record<string, unknown>): Promise<CognitoAnswer> {
  const cfg = config()
  if (!cfg?.userPoolClientId) throw new SignInError('NoConfig', '')
  const endpoint = (cfg.cognitoEndpoint || `https://cognito-idp.${cfg.region ?? 'us-east-1'}.amazonaws.com`).replace(
    /\/+$/,
    '',
  )
  let response: Response
  try {
    response = await fetch(`${endpoint}/`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${target}`,
      },
      body: JSON.stringify({ ClientId: cfg.userPoolClientId, ...body }),
    })
  } catch {
    throw new SignInError('NetworkError', '')
  }
  const payload = (await response.json().catch(() => ({}))) as CognitoAnswer & { __type?: string; message?: string }
  if (!response.ok) {
    const code = String(payload.__type ?? 'Error').split('#').pop() ?? 'Error'
    throw new SignInError(code, String(payload.message ?? ''))
  }
  return payload
}

function finish(answer: CognitoAnswer, username: string, refreshToken?: string): SignInResult {
  if (answer.ChallengeName === 'NEW_PASSWORD_REQUIRED' && answer.Session) {
    return { kind: 'new-password', username, challenge: answer.Session }
  }
  if (!answer.AuthenticationResult?.IdToken) throw new SignInError(answer.ChallengeName ?? 'Unsupported', '')
  store(fromTokens(answer.AuthenticationResult, answer.AuthenticationResult.RefreshToken ?? refreshToken ?? ''))
  return { kind: 'signed-in' }
}

export async function signIn(username: string, password: string): Promise<SignInResult> {
  const answer = await cognito('InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: username, PASSWORD: password },
  })
  return finish(answer, username)
}

/** First sign-in of an account an admin created: the temporary password is replaced. */
export async function setNewPassword(username: string, password: string, challenge: string): Promise<SignInResult> {
  const answer = await cognito('RespondToAuthChallenge', {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    Session: challenge,
    ChallengeResponses: { USERNAME: username, NEW_PASSWORD: password },
  })
  return finish(answer, username)
}

export function signOut(): void {
  store(null)
}

let refreshing: Promise<string> | null = null

/** A valid ID token, refreshed shortly before it expires; null when signed out or the refresh failed. */
export async function idToken(): Promise<string | null> {
  const current = state.session
  const held = tokens
  if (!current || !held) return null
  if (current.expiresAt - EARLY_MS > Date.now()) return held.idToken
  refreshing ??= cognito('InitiateAuth', {
    AuthFlow: 'REFRESH_TOKEN_AUTH',
    AuthParameters: { REFRESH_TOKEN: held.refreshToken },
  })
    .then((answer) => {
      finish(answer, current.username, held.refreshToken)
      return tokens?.idToken ?? ''
    })
    .finally(() => {
      refreshing = null
    })
  try {
    return (await refreshing) || null
  } catch {
    signOut()
    return null
  }
}

export function hasRole(...roles: readonly Role[]): boolean {
  return !!state.session && state.session.roles.some((r) => roles.includes(r))
}

/** A street/township's id is its 9-digit division code. */
export function isStreet(unit: string | null | undefined): boolean {
  return !!unit && /^\d{9}$/.test(unit)
}
