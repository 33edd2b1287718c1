import { config } from './config'
import type { Category, District, EvaluationBody, FieldDetail, PublicOrder, Receipt, Submission } from './types'

const TIMEOUT_MS = 20_000

/** An API failure. `status` 0 means no answer (network, timeout, no configuration). */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: FieldDetail[]

  constructor(status: number, code: string, message: string, details: FieldDetail[] = []) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
  }
}

interface ErrorEnvelope {
  error?: { code?: unknown; message?: unknown; details?: unknown }
}

function toDetails(raw: unknown): FieldDetail[] {
  if (!Array.isArray(raw)) return []
  return raw
    .filter((d): d is { field?: unknown; message?: unknown } => typeof d === 'object' && d !== null)
    .map((d) => ({ field: typeof d.field === 'string' ? d.field : '', message: String(d.message ?? '') }))
}

async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const cfg = config()
  if (!cfg) throw new ApiError(0, 'no_config', '')
  const controller = new AbortController()
  const timer = window.setTimeout(() => controller.abort(), TIMEOUT_MS)
  let response: Response
  try {
    response = await fetch(`${cfg.apiUrl}${path}`, {
      method,
      headers: {
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    })
  } catch {
    throw new ApiError(0, controller.signal.aborted ? 'timeout' : 'network_error', '')
  } finally {
    window.clearTimeout(timer)
  }
  let payload: unknown = null
  const text = await response.text().catch(() => '')
  if (text) {
    try {
      payload = JSON.parse(text)
    } catch {
      payload = null
    }
  }
  if (!response.ok) {
    const err = (payload as ErrorEnvelope | null)?.error
    throw new ApiError(
      response.status,
      typeof err?.code === 'string' ? err.code : 'http_error',
      typeof err?.message === 'string' ? err.message : '',
      toDetails(err?.details),
    )
  }
  return payload as T
}

let divisionsOnce: Promise<District[]> | null = null
let categoriesOnce: Promise<Category[]> | null = null

/** Reference data changes rarely: fetched once per page load, again after a failure. */
export function getDivisions(): Promise<District[]> {
  divisionsOnce ??= call<{ items: District[] }>('GET', '/public/divisions').then(
    (r) => r.items ?? [],
    (e: unknown) => {
      divisionsOnce = null
      throw e
    },
  )
  return divisionsOnce
}

export function getCategories(): Promise<Category[]> {
  categoriesOnce ??= call<{ items: Category[] }>('GET', '/public/categories').then(
    (r) => r.items ?? [],
    (e: unknown) => {
      categoriesOnce = null
      throw e
    },
  )
  return categoriesOnce
}

export function submitRequest(body: Submission, idempotencyKey: string): Promise<Receipt> {
  return call<Receipt>('POST', '/public/requests', body, { 'Idempotency-Key': idempotencyKey })
}

export function getOrder(id: string, code: string): Promise<PublicOrder> {
  return call<PublicOrder>('GET', `/public/requests/${encodeURIComponent(id)}?code=${encodeURIComponent(code)}`)
}

export function evaluate(id: string, body: EvaluationBody): Promise<PublicOrder> {
  return call<PublicOrder>('POST', `/public/requests/${encodeURIComponent(id)}/evaluation`, body)
}
