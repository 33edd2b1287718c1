/**
 * Codes the API sends as plain strings (the OpenAPI document does not enumerate them), listed here
 * so that each has its wording; the enums it does enumerate come with their values from the
 * generated `schema.ts`.
 */

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
  'revisit_opened',
  'closed',
] as const
export type PublicAction = (typeof PUBLIC_ACTIONS)[number]

/** The lines an emergency is sent to. */
export const EMERGENCY_LINES = ['110', '119', '120', '122'] as const
export type EmergencyLine = (typeof EMERGENCY_LINES)[number]

/** The codes a `closed` event carries as its note: how the follow-up ended. */
export const CLOSE_NOTES = ['evaluated', 'not_evaluated', 'revisited'] as const
export type CloseNote = (typeof CLOSE_NOTES)[number]
