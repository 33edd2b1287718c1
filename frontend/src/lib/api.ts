import { config } from './config'
import { i18n } from '../i18n'
import type {
  District,
  ErrorDetail as FieldDetail,
  EvaluationForm as EvaluationBody,
  PublicCategory as Category,
  PublicOrder,
  PublicationPolicy,
  Receipt,
  Submission,
  SuggestionForm as SuggestionQuery,
  Suggestions,
  UploadTicket,
} from './schema'

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

/** Raised instead of ApiError when the caller itself cancelled the call (a stale suggestion request). */
export class Cancelled extends Error {
  constructor() {
    super('cancelled')
    this.name = 'Cancelled'
  }
}

export async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<T> {
  const cfg = config()
  if (!cfg) throw new ApiError(0, 'no_config', '')
  if (signal?.aborted) throw new Cancelled()
  const controller = new AbortController()
  const timer = window.setTimeout(() => controller.abort(), TIMEOUT_MS)
  const cancel = (): void => controller.abort()
  signal?.addEventListener('abort', cancel)
  let response: Response
  try {
    response = await fetch(`${cfg.apiUrl}${path}`, {
      method,
      headers: {
        Accept: 'application/json',
        // The API words its field problems in the reader's language.
        'Accept-Language': i18n.global.locale.value === 'en' ? 'en' : 'zh-CN',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    })
  } catch {
    if (signal?.aborted) throw new Cancelled()
    throw new ApiError(0, controller.signal.aborted ? 'timeout' : 'network_error', '')
  } finally {
    window.clearTimeout(timer)
    signal?.removeEventListener('abort', cancel)
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

let publicationOnce: Promise<PublicationPolicy> | null = null

/** What is published of a request: the deployment's policy, said beside the confidential box. */
export function getPublication(): Promise<PublicationPolicy> {
  publicationOnce ??= call<PublicationPolicy>('GET', '/public/publication').catch((e: unknown) => {
    publicationOnce = null
    throw e
  })
  return publicationOnce
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

/** Categories, an emergency line and knowledge-base answers for the text being written. */
export function suggest(query: SuggestionQuery, signal: AbortSignal): Promise<Suggestions> {
  return call<Suggestions>('POST', '/public/suggestions', query, {}, signal)
}

/** The requester read the on-the-spot answer and still wants the matter handled. */
export function dispatchAnyway(id: string, code: string): Promise<PublicOrder> {
  return call<PublicOrder>('POST', `/public/requests/${encodeURIComponent(id)}/dispatch`, { code })
}

export function requestUpload(file: { filename: string; content_type: string; size: number }): Promise<UploadTicket> {
  return call<UploadTicket>('POST', '/public/uploads', file)
}

/** Storage refused the file or could not be reached; `status` 0 means no answer. */
export class UploadFailed extends Error {
  readonly status: number

  constructor(status: number) {
    super(`upload failed: ${status}`)
    this.name = 'UploadFailed'
    this.status = status
  }
}

/**
 * Sends a file straight to storage with its presigned POST: every field first, in order, the file
 * last as `file` (storage ignores what follows the file). XMLHttpRequest, because fetch reports no
 * upload progress.
 */
export function uploadToStorage(
  ticket: UploadTicket,
  file: Blob,
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const form = new FormData()
    for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value)
    form.append('file', file)
    const xhr = new XMLHttpRequest()
    xhr.open('POST', ticket.url)
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(Math.min(1, event.loaded / event.total))
    }
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1)
        resolve()
      } else {
        reject(new UploadFailed(xhr.status))
      }
    }
    xhr.onerror = () => reject(new UploadFailed(0))
    xhr.ontimeout = () => reject(new UploadFailed(0))
    xhr.onabort = () => reject(new Cancelled())
    const abort = (): void => xhr.abort()
    if (signal.aborted) {
      reject(new Cancelled())
      return
    }
    signal.addEventListener('abort', abort, { once: true })
    xhr.send(form)
  })
}
