import { computed, nextTick, reactive, ref, watch } from 'vue'
import { useI18n } from 'vue-i18n'
import type { FormInstance } from 'element-plus'
import { ApiError } from './api'
import { errorText, focusFirstError, splitDetails } from './errors'
import { normalisedPhone, usePlaceFromText, useReferences, useServerErrors } from './requestForm'
import type { RequestType, RequesterKind } from './schema'
import { useSuggestions } from './suggestions'
import { uuid } from './uuid'

/** The "no category" choice: Element Plus treats null as "nothing selected", so a sentinel stands in. */
export const NO_CATEGORY = '__none__'
export const MAX_CHARS = 2000
/** How many knowledge-base answers are offered. */
const TOP_ANSWERS = 3
/** The fields the server names in its errors, as dotted paths of the form. */
export const REQUEST_FIELDS = [
  'type',
  'content',
  'category',
  'location.district',
  'location.street',
  'location.address',
  'requester.name',
  'requester.phone',
  'requester.kind',
  'confidential',
] as const

export function blankRequest() {
  return {
    type: '' as RequestType | '',
    content: '',
    category: NO_CATEGORY,
    location: { district: '', street: '', address: '' },
    requester: { name: '', phone: '', kind: 'person' as RequesterKind },
    confidential: false,
    consent: false,
    dispatchAnyway: false,
    /** The knowledge-base answer the requester accepted: the consultation is answered on the spot. */
    answeredBy: '',
    notAnEmergency: false,
  }
}

/**
 * A request being written, on the public form or at the operator's intake: its fields, the
 * references they are chosen from, the suggestions the text brings (categories, place, emergency,
 * answers), the server's errors, and sending it under one Idempotency-Key per filled form (a retry
 * of the same body reuses it, an edited body gets a new one).
 */
export function useRequestForm(referencesFailed: (error: unknown) => string) {
  const { t } = useI18n()
  const form = reactive(blankRequest())
  const formRef = ref<FormInstance>()
  const formWrap = ref<HTMLElement>()
  const references = useReferences(form, referencesFailed)
  const { errors: serverErrors, clear: clearServerErrors } = useServerErrors(form, REQUEST_FIELDS)
  const submitting = ref(false)
  const generalError = ref('')
  const otherDetails = ref<string[]>([])
  let idempotencyKey = ''
  let keyedBody = ''

  const contentLength = computed(() => [...form.content].length)
  const phone = computed(() => normalisedPhone(form.requester.phone))
  const category = computed(() => (form.category === NO_CATEGORY ? null : form.category))

  // The place only changes which units are suggested: the district and street are enough, and
  // typing the address does not ask again.
  const { suggestions, pending } = useSuggestions(() => {
    if (!form.content.trim()) return null
    const district = form.location.district
    return {
      content: form.content.trim(),
      ...(district ? { location: { district, street: form.location.street || null } } : {}),
    }
  })
  const emergency = computed(() => suggestions.value?.emergency ?? null)
  const possibleEmergency = computed(() => suggestions.value?.possible_emergency ?? null)
  // The place the text names fills an empty location in (the requester can change it).
  const placeFromText = usePlaceFromText(form, suggestions)
  /** Answers are offered for a consultation, or for what reads like one while no type is chosen yet. */
  const asksQuestion = computed(
    () => form.type === 'consultation' || (form.type === '' && suggestions.value?.type === 'consultation'),
  )
  const answers = computed(() =>
    asksQuestion.value
      ? [...(suggestions.value?.answers ?? [])].sort((a, b) => b.confidence - a.confidence).slice(0, TOP_ANSWERS)
      : [],
  )
  // An accepted answer holds only while it is still offered for the words written.
  watch(answers, (offered) => {
    if (form.answeredBy && !offered.some((a) => a.id === form.answeredBy)) form.answeredBy = ''
  })

  /** The form's own checks; the first field in error takes the focus. */
  async function validate(): Promise<boolean> {
    if (submitting.value || !formRef.value) return false
    clearServerErrors()
    const valid = await formRef.value.validate().catch(() => false)
    if (!valid) {
      await nextTick()
      focusFirstError(formWrap.value)
    }
    return valid
  }

  /**
   * Sends `payload` with `post`; on failure the server's field errors go to their fields and the
   * rest to the general error (`others` may keep some of them for itself).
   */
  async function send(
    payload: object,
    post: (idempotencyKey: string) => Promise<void>,
    others: (error: unknown, other: string[]) => string[] = (_e, other) => other,
  ): Promise<void> {
    const serialised = JSON.stringify(payload)
    if (serialised !== keyedBody) {
      idempotencyKey = uuid()
      keyedBody = serialised
    }
    submitting.value = true
    try {
      await post(idempotencyKey)
    } catch (error) {
      const { byField, other } = splitDetails(error, REQUEST_FIELDS)
      Object.assign(serverErrors, byField)
      otherDetails.value = others(error, other)
      generalError.value = errorText(error, t)
      if (error instanceof ApiError && error.code === 'idempotency_key_reused') keyedBody = ''
      await nextTick()
      if (Object.keys(byField).length) focusFirstError(formWrap.value)
    } finally {
      submitting.value = false
    }
  }

  /** An empty form again, with a new Idempotency-Key for what is written next. */
  async function clear(): Promise<void> {
    Object.assign(form, blankRequest())
    clearServerErrors()
    idempotencyKey = ''
    keyedBody = ''
    await nextTick()
    formRef.value?.clearValidate()
  }

  return {
    form,
    formRef,
    formWrap,
    references,
    serverErrors,
    submitting,
    generalError,
    otherDetails,
    contentLength,
    phone,
    category,
    suggestions,
    pending,
    emergency,
    possibleEmergency,
    placeFromText,
    answers,
    validate,
    send,
    clear,
  }
}

export type RequestFormState = ReturnType<typeof useRequestForm>
