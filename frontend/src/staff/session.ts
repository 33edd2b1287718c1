import { computed, reactive } from 'vue'
import { config } from '../lib/config'

/** The roles are the Cognito groups (API.md); hotline-centre staff have no unit. */
export const ROLES = ['operator', 'dispatcher', 'handler', 'unit_leader', 'supervisor', 'analyst', 'admin'] as const
export type Role = (typeof ROLES)[number]

export interface Session {
  username: string
  roles: Role[]
  unit: string | null
  idToken: string
  refreshToken: string
  /** Milliseconds since the epoch when the ID token expires. */
  expiresAt: number
}

const STORAGE_KEY = 'jiesu.staff.session'
const EARLY_MS = 60_000

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

const state = reactive<{ session: Session | null }>({ session: load() })

export const session = computed(() => state.session)

function load(): Session | null {
  try {
    const raw = window.localStorage.getItem(STORAGE_KEY)
    const parsed = raw ? (JSON.parse(raw) as Session) : null
    return parsed && typeof parsed.idToken === 'string' ? parsed : null
  } catch {
    return null
  }
}

function store(value: Session | null): void {
  state.session = value
  try {
    if (value) window.localStorage.setItem(STORAGE_KEY, JSON.stringify(value))
    else window.localStorage.removeItem(STORAGE_KEY)
  } catch {
    // storage unavailable: the session lives as long as the page
  }
}

function claims(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? ''
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=')
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>
}

function fromTokens(result: AuthResult, refreshToken: string): Session {
  const idToken = result.IdToken ?? ''
  const c = claims(idToken)
  const groups = Array.isArray(c['cognito:groups']) ? (c['cognito:groups'] as unknown[]) : []
  const exp = typeof c.exp === 'number' ? c.exp * 1000 : Date.now() + (result.ExpiresIn ?? 3600) * 1000
  return {
    username: String(c['cognito:username'] ?? c.sub ?? ''),
    roles: ROLES.filter((r) => groups.includes(r)),
    unit: typeof c['custom:unit'] === 'string' && c['custom:unit'] ? c['custom:unit'] : null,
    idToken,
    refreshToken,
    expiresAt: exp,
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
  if (!current) return null
  if (current.expiresAt - EARLY_MS > Date.now()) return current.idToken
  refreshing ??= cognito('InitiateAuth', {
    AuthFlow: 'REFRESH_TOKEN_AUTH',
    AuthParameters: { REFRESH_TOKEN: current.refreshToken },
  })
    .then((answer) => {
      finish(answer, current.username, current.refreshToken)
      return state.session?.idToken ?? ''
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
