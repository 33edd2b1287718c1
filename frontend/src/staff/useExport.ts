import { ref } from 'vue'
import { staffApi } from './api'

export interface ExportLink {
  filename: string
  url: string
  expires_at: string
  rows: number
  bytes: number
  truncated?: boolean
}

/**
 * An Excel export: the API writes the file to S3 and answers a short-lived link (a Lambda answer
 * is at most 6 MB, a long list is more), then the browser downloads it from S3, showing the bytes
 * received against Content-Length, and saves it under the file's name.
 */
export function useExport() {
  const phase = ref<'idle' | 'preparing' | 'downloading'>('idle')
  const received = ref(0)
  const total = ref(0)
  const last = ref<ExportLink | null>(null)
  const error = ref<unknown>(null)

  async function run(path: string, body: Record<string, unknown>): Promise<ExportLink | null> {
    if (phase.value !== 'idle') return null
    error.value = null
    last.value = null
    received.value = 0
    total.value = 0
    phase.value = 'preparing'
    try {
      const link = await staffApi<ExportLink>('POST', path, body)
      phase.value = 'downloading'
      total.value = link.bytes
      const answer = await fetch(link.url)
      if (!answer.ok || !answer.body) throw new Error(`download ${answer.status}`)
      total.value = Number(answer.headers.get('Content-Length')) || link.bytes
      const reader = answer.body.getReader()
      const chunks: Uint8Array[] = []
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        chunks.push(value)
        received.value += value.length
      }
      save(new Blob(chunks as BlobPart[], { type: answer.headers.get('Content-Type') ?? 'application/octet-stream' }), link.filename)
      last.value = link
      return link
    } catch (e) {
      error.value = e
      return null
    } finally {
      phase.value = 'idle'
    }
  }

  return { phase, received, total, last, error, run }
}

function save(blob: Blob, filename: string): void {
  const href = URL.createObjectURL(blob)
  const anchor = document.createElement('a')
  anchor.href = href
  anchor.download = filename
  anchor.rel = 'noopener'
  document.body.appendChild(anchor)
  anchor.click()
  anchor.remove()
  setTimeout(() => URL.revokeObjectURL(href), 60_000)
}

/** A list's URL filters as a JSON body: 'true'/'false' become booleans, empty values are left out. */
export function filtersBody(filters: Record<string, string | undefined>): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined || value === '') continue
    body[key] = value === 'true' ? true : value === 'false' ? false : value
  }
  return body
}
