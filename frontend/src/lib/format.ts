const beijing = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

/** Parses an ISO 8601 timestamp; more than three fractional digits are cut for older engines. */
export function parseInstant(iso: string): Date | null {
  const d = new Date(iso.replace(/(\.\d{3})\d+/, '$1'))
  return Number.isNaN(d.getTime()) ? null : d
}

/** "yyyy-MM-dd HH:mm" in Beijing time, whatever the browser's zone. */
export function formatBeijing(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = parseInstant(iso)
  if (!d) return iso
  const p: Record<string, string> = {}
  for (const part of beijing.formatToParts(d)) p[part.type] = part.value
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}

/** A time in Beijing as a person reads it in a sentence: "2026年12月25日 23:24" in Chinese,
 *  "2026-12-25 23:24" in English. */
export function formatBeijingWords(iso: string | null | undefined, locale: string): string {
  if (!iso) return '—'
  const d = parseInstant(iso)
  if (!d) return iso
  const p: Record<string, string> = {}
  for (const part of beijing.formatToParts(d)) p[part.type] = part.value
  if (locale === 'en') return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
  return `${p.year}年${Number(p.month)}月${Number(p.day)}日 ${p.hour}:${p.minute}`
}

/** A mobile number as it may be shown back to its owner: 138****1234. Never the whole number. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '')
  if (digits.length < 7) return '****'
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`
}
