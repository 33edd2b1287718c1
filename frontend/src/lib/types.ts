export const REQUEST_TYPES = ['consultation', 'help', 'complaint', 'report', 'suggestion'] as const
export type RequestType = (typeof REQUEST_TYPES)[number]

export const REQUESTER_KINDS = ['person', 'enterprise', 'organisation'] as const
export type RequesterKind = (typeof REQUESTER_KINDS)[number]

export const SATISFACTIONS = ['satisfied', 'basically_satisfied', 'dissatisfied'] as const
export type Satisfaction = (typeof SATISFACTIONS)[number]

export const STATUSES = [
  'received',
  'answered',
  'not_dispatched',
  'merged',
  'dispatched',
  'signed',
  'in_progress',
  'objected',
  'replied',
  'follow_up',
  'closed',
  'reopened',
] as const
export type Status = (typeof STATUSES)[number]

/**
 * The timeline actions the public view shows (functions/chalicelib/domain/views.py, PUBLIC_ACTIONS),
 * and `auto_dispatched`, the workflow's own dispatch, worded for the requester should it be shown.
 */
export const PUBLIC_ACTIONS = [
  'received',
  'answered',
  'not_dispatched',
  'merged',
  'transferred',
  'partner_replied',
  'reinstated',
  'dispatched',
  'auto_dispatched',
  'redispatched',
  'reassigned',
  'signed',
  'contacted',
  'progress',
  'extended',
  'overdue',
  'replied',
  'follow_up_started',
  'evaluated',
  'reopened',
  'closed',
] as const
export type PublicAction = (typeof PUBLIC_ACTIONS)[number]

/** Why an order is not dispatched (functions/chalicelib/domain/triage.py, Reason). */
export const REASONS = [
  'emergency',
  'legal_channel',
  'duplicate',
  'secrets_privacy',
  'outside_duties',
  'unlawful',
  'transferred',
] as const
export type Reason = (typeof REASONS)[number]

/** The lines an emergency is sent to. */
export const EMERGENCY_LINES = ['110', '119', '120', '122'] as const
export type EmergencyLine = (typeof EMERGENCY_LINES)[number]

/** The codes a `closed` event carries as its note: how the follow-up ended. */
export const CLOSE_NOTES = ['evaluated', 'not_evaluated'] as const
export type CloseNote = (typeof CLOSE_NOTES)[number]

export interface Street {
  code: string
  name: string
}

export interface District {
  code: string
  name: string
  streets: Street[]
}

/** A 小类 of the dispatch catalogue with its 中类 (`group`) and 大类 (`major`), as GET /public/categories answers it. */
export interface Category {
  code: string
  name: string
  major: string
  major_name: string
  group: string
  group_name: string
  description: string
  kind: string
  tier: string
}

export interface Submission {
  type: RequestType
  content: string
  category: string | null
  location: {
    district: string
    street: string | null
    address: string
    lat: number | null
    lng: number | null
  }
  requester: {
    name: string | null
    phone: string
    kind: RequesterKind
  }
  confidential: boolean
  /** Upload ids from POST /public/uploads, in the order the files were added. */
  attachments: string[]
  /** The requester read the knowledge-base answers and wants the matter handled anyway. */
  dispatch_anyway?: boolean
  /** The knowledge-base answer the requester accepted: the consultation is answered on the spot. */
  answered_by?: string
  not_an_emergency?: boolean
}

/** What Open311 and the public pages publish of a request that is not confidential (GET /public/publication). */
export interface PublicationPolicy {
  place: 'street' | 'address'
  text: boolean
  replies: boolean
  coordinates: boolean
}

/** A knowledge-base entry that settled a consultation on the spot. */
export interface DirectAnswer {
  entry: string
  question: string
  answer: string
  source_policy: string
}

export interface Receipt {
  id: string
  tracking_code: string
  status: Status | string
  deadline: string | null
  reason: string | null
  transfer_to: string | null
  merged_into: string | null
  answer?: DirectAnswer | null
}

export interface TimelineEntry {
  at: string
  action: PublicAction | string
  unit: string | null
  note: string | null
  /** The hotline's words about the step, as a code worded by `timelineNotes` (docs/api.md). */
  code?: string | null
  params?: Record<string, string>
}

export interface Extension {
  reason: string
  new_deadline: string
  at: string
}

export interface PublicOrder {
  id: string
  type: RequestType | string
  /** What the requester wrote (shown back to the holder of the tracking code only). */
  content?: string
  status: Status | string
  overdue: boolean
  category: { code: string; name: string } | null
  deadline: string | null
  created_at: string
  /** The name of the unit handling the order; null until it is dispatched. */
  first_receiver: string | null
  reply: { result: string; at: string } | null
  /** The requester may evaluate now: after the reply, or at the deadline before any reply. */
  evaluation_due: boolean
  extensions: Extension[]
  merged_into: string | null
  reason: string | null
  transfer_to: string | null
  answer?: DirectAnswer | null
  /** The files sent with the request, by name only. */
  attachments?: PublicAttachment[]
  timeline: TimelineEntry[]
}

export interface PublicAttachment {
  name: string
  kind: AttachmentKind | string
  size: number
}

export type AttachmentKind = 'image' | 'video' | 'audio'

export interface SuggestedCategory {
  code: string
  name: string
  kind: string
  confidence: number
  major?: string
  major_name?: string
  group?: string
  group_name?: string
}

/** A 大类 the text reads as, its categories' probabilities summed. */
export interface SuggestedMajor {
  code: string
  name: string
  confidence: number
}

/** The district and street the request's text names. */
export interface SuggestedPlace {
  district: string
  district_name: string
  street: string | null
  street_name: string | null
  matched: string[]
}

/** A knowledge-base answer offered while the request is written; `unit` is the keeping unit's name. */
export interface KnowledgeAnswer {
  id: string
  question: string
  answer: string
  source_policy?: string
  /** The official site of the body that issued the policy. */
  source_url?: string | null
  unit: string
  confidence: number
}

export interface Suggestions {
  categories: SuggestedCategory[]
  type: RequestType | string
  urgency: string | null
  emergency: EmergencyLine | string | null
  answers: KnowledgeAnswer[]
  place?: SuggestedPlace | null
  possible_emergency?: EmergencyLine | string | null
  majors?: SuggestedMajor[]
  /** The workflow would dispatch the order to the first category by itself, if none is chosen. */
  automatic?: boolean
}

export interface SuggestionQuery {
  content: string
  location?: { district: string; street: string | null }
}

/** A presigned POST for one file: send `fields` in order, then the file as `file`, to `url`. */
export interface UploadTicket {
  upload: string
  url: string
  fields: Record<string, string>
  max_size: number
  expires_at: string
}

export interface EvaluationBody {
  code: string
  resolved: boolean
  satisfaction: Satisfaction
  comment?: string
}

export interface FieldDetail {
  field: string
  message: string
}
