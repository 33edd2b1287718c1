import type { Role } from '../../session'
import type { StaffOrder } from '../../schema'
import { HANDLING, WORKING } from './clock'

/** Every action of the order page; the name is also its button's test id (`action-<name>`). */
export type ActionName =
  | 'sign'
  | 'objection'
  | 'contact'
  | 'progress'
  | 'assists'
  | 'release'
  | 'extension'
  | 'reply'
  | 'assist-sign'
  | 'assist-report'
  | 'assist-progress'
  | 'dispatch'
  | 'triage'
  | 'merge'
  | 'transfer'
  | 'reinstate'
  | 'decision'
  | 'urge'
  | 'adjudication'
  | 'follow-up'

export interface Who {
  roles: readonly Role[]
  unit: string | null
}

/** Statuses an assisting unit works in: the first receiver still holds the order (co_handling.py). */
const ASSISTABLE: readonly string[] = ['dispatched', ...WORKING]
/** Orders settled without a unit, which a dispatcher may reinstate (triage.py SETTLED). */
const SETTLED: readonly string[] = ['answered', 'not_dispatched', 'merged']
/** Before anyone signed for it: dispatch, triage, merge and transfer apply (dispatch.py, triage.py). */
const BEFORE_SIGNING: readonly string[] = ['received', 'dispatched']

function has(who: Who, ...roles: Role[]): boolean {
  return who.roles.some((r) => roles.includes(r))
}

const isIn = (status: string, list: readonly string[]): boolean => list.includes(status)

/** What blocks an action the user would otherwise see: shown as a hint instead of a dead button. */
export interface Availability {
  actions: ActionName[]
  hints: string[]
}

/**
 * The actions the signed-in user may take on the order in its current status: the backend's
 * rules (domain/access.py for the roles, handling.py, objections.py, co_handling.py, follow_up.py,
 * dispatch.py, triage.py, supervision.py for the statuses). `hints` are message keys.
 */
export function available(order: StaffOrder, who: Who, now: number): Availability {
  const actions: ActionName[] = []
  const hints: string[] = []
  const status = order.status
  const unitStaff = has(who, 'handler', 'unit_leader')
  const firstReceiver = unitStaff && !!who.unit && who.unit === order.first_receiver?.id
  const openAssists = order.assists.filter((a) => a.status === 'requested' || a.status === 'signed')

  if (firstReceiver) {
    if (status === 'dispatched') actions.push('sign')
    if (status === 'dispatched' || status === 'signed') {
      const rejected = order.objections.some((o) => o.unit === who.unit && o.decision === 'rejected')
      if (rejected) hints.push('objectionRejected')
      else actions.push('objection')
    }
    if (status === 'signed' || status === 'reopened') actions.push('contact')
    if (isIn(status, WORKING)) actions.push('progress', 'assists')
    if (isIn(status, ASSISTABLE) && openAssists.length) actions.push('release')
    if (isIn(status, WORKING) && order.deadline) {
      const due = Date.parse(order.deadline)
      if (!order.overdue && (Number.isNaN(due) || due > now)) actions.push('extension')
      else hints.push('extensionTooLate')
    }
    if (status === 'in_progress') {
      if (openAssists.length) hints.push('replyWaits')
      else actions.push('reply')
    }
    if (status === 'objected') hints.push('objectionPending')
  }

  const mine = unitStaff && who.unit ? order.assists.find((a) => a.unit === who.unit) : undefined
  if (mine && !firstReceiver && isIn(status, ASSISTABLE)) {
    if (mine.status === 'requested') actions.push('assist-sign')
    if (mine.status === 'requested' || mine.status === 'signed') actions.push('assist-report', 'assist-progress')
  }

  if (has(who, 'dispatcher', 'operator') && isIn(status, BEFORE_SIGNING)) {
    actions.push('dispatch', 'triage', 'merge', 'transfer')
  }
  if (has(who, 'dispatcher') && isIn(status, SETTLED)) actions.push('reinstate')
  if (has(who, 'dispatcher') && order.objections.some((o) => !o.decision)) actions.push('decision')
  if (has(who, 'supervisor', 'dispatcher') && isIn(status, HANDLING)) actions.push('urge')
  if (has(who, 'operator') && order.evaluation_due) actions.push('follow-up')
  if (has(who, 'supervisor') && order.evaluation) actions.push('adjudication')
  return { actions, hints }
}
