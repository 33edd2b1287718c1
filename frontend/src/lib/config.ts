export interface AppConfig {
  apiUrl: string
  region?: string
  userPoolId?: string
  userPoolClientId?: string
  cognitoEndpoint?: string
  stage?: string
  timeScale: number
  /** Local demo clock only: when it started; demo time = epoch + (wall - epoch) x timeScale. */
  clockEpoch?: string | null
}

let current: AppConfig | null = null

/** Loads /config.json from the origin that serves the app. Called once, before mounting. */
export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch('/config.json', { cache: 'no-store', headers: { Accept: 'application/json' } })
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`)
  const raw = (await response.json()) as Partial<AppConfig> | null
  if (!raw || typeof raw.apiUrl !== 'string' || raw.apiUrl === '') throw new Error('config.json: apiUrl missing')
  const scale = Number(raw.timeScale ?? 1)
  current = {
    ...raw,
    apiUrl: raw.apiUrl.replace(/\/+$/, ''),
    timeScale: Number.isFinite(scale) && scale > 0 ? scale : 1,
  }
  return current
}

export function config(): AppConfig | null {
  return current
}
