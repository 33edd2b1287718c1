import type { AttachmentKind } from './schema'

/** The most files one request may carry. The server checks the same limits again. */
export const MAX_FILES = 9

const MB = 1024 * 1024

/** Allowed types and the largest file of each kind (the upload endpoint enforces the same). */
export const LIMITS: Record<AttachmentKind, { types: readonly string[]; maxBytes: number }> = {
  image: { types: ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/heic'], maxBytes: 10 * MB },
  video: { types: ['video/mp4', 'video/quicktime', 'video/webm'], maxBytes: 100 * MB },
  audio: {
    types: ['audio/mpeg', 'audio/mp4', 'audio/aac', 'audio/wav', 'audio/x-wav', 'audio/ogg', 'audio/webm', 'audio/amr'],
    maxBytes: 20 * MB,
  },
}

/** What the file picker offers; the exact types are checked after picking. */
export const ACCEPT = 'image/*,video/*,audio/*'

// Some browsers give no type for HEIC photos or AMR recordings: the extension tells instead.
const BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  amr: 'audio/amr',
}

/** The file's content type: the browser's, or one inferred from the extension when it gives none. */
export function contentType(file: { name: string; type: string }): string {
  if (file.type) return file.type.toLowerCase()
  const ext = file.name.split('.').pop()?.toLowerCase() ?? ''
  return BY_EXTENSION[ext] ?? ''
}

export function kindOf(type: string): AttachmentKind | null {
  for (const kind of Object.keys(LIMITS) as AttachmentKind[]) {
    if (LIMITS[kind].types.includes(type)) return kind
  }
  return null
}

export type FileProblem =
  | { problem: 'type' }
  | { problem: 'size'; kind: AttachmentKind; maxMb: number }
  | { problem: 'empty' }

/** Why the file cannot be attached, or null when it can. */
export function checkFile(file: { name: string; type: string; size: number }): FileProblem | null {
  const kind = kindOf(contentType(file))
  if (!kind) return { problem: 'type' }
  if (file.size <= 0) return { problem: 'empty' }
  if (file.size > LIMITS[kind].maxBytes) return { problem: 'size', kind, maxMb: LIMITS[kind].maxBytes / MB }
  return null
}

/** "340 KB", "12.5 MB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < MB) return `${Math.max(1, Math.round(bytes / 1024))} KB`
  return `${(bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0)} MB`
}

export type UploadState = 'uploading' | 'done' | 'failed'

/** One file the requester added, from picking to its upload id. */
export interface AttachmentItem {
  key: string
  file: File
  name: string
  size: number
  type: string
  kind: AttachmentKind
  state: UploadState
  /** 0..1 of the bytes sent to storage. */
  progress: number
  /** The upload id to submit, once storage has the file. */
  upload: string | null
  /** Shown next to the file: why its upload failed, or what the server said of it on submit. */
  error: string
  /** Whether trying again can help (storage or network trouble, not a refused type or size). */
  retryable: boolean
}
