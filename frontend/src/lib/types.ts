export const REQUEST_TYPES = ['consultation', 'help', 'complaint', 'report', 'suggestion'] as const
export type RequestType = (typeof REQUEST_TYPES)[number]

export const REQUESTER_KINDS = ['person', 'enterprise', 'organisation'] as const
export type RequesterKind = (typeof REQUESTER_KINDS)[number]

export const SATISFACTIONS = ['satisfied', 'basically_satisfied', 'dissatisfied'] as const
export type Satisfaction = (typeof SATISFACTIONS)[number]

export type Status =
  | 'received'
  | 'answered'
  | 'not_dispatched'
  | 'merged'
  | 'dispatched'
  | 'signed'
  | 'in_progress'
  | 'objected'
  | 'replied'
  | 'follow_up'
  | 'closed'
  | 'reopened'

/** Statuses in which the requester is asked to evaluate the reply. */
export const AWAITING_EVALUATION: readonly string[] = ['replied', 'follow_up']

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
  action: string
  unit: string | null
  note: string | null
}

export interface PublicOrder {
  id: string
  type: RequestType | string
  status: Status | string
  overdue: boolean
  category: { code: string; name: string } | null
  deadline: string | null
  created_at: string
  reply: { result: string; at: string } | null
  extensions: { reason: string; new_deadline: string }[]
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
