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

/** The timeline actions the public view shows (functions/chalicelib/domain/views.py, PUBLIC_ACTIONS). */
export const PUBLIC_ACTIONS = [
  'received',
  'dispatched',
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

export interface Category {
  code: string
  name: string
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
  attachments: string[]
}

export interface Receipt {
  id: string
  tracking_code: string
  status: Status | string
  deadline: string | null
  reason: string | null
  transfer_to: string | null
  merged_into: string | null
}

export interface TimelineEntry {
  at: string
  action: PublicAction | string
  unit: string | null
  note: string | null
}

export interface Extension {
  reason: string
  new_deadline: string
  at: string
}

export interface PublicOrder {
  id: string
  type: RequestType | string
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
  timeline: TimelineEntry[]
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
