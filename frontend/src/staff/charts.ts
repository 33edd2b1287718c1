import type { EChartsCoreOption } from 'echarts/core'

/**
 * What every chart of the portal hands ECharts passes through here. Tooltips are drawn by ECharts
 * itself as text (`renderMode: 'richText'`) instead of an HTML overlay, so a unit, street, category
 * or model named `<img src=x onerror=…>` is shown as those characters and runs nothing. Axis and
 * series labels and legends are text already; a formatter returns plain text ("\n" breaks a line).
 */
export function textOnly<T extends EChartsCoreOption>(option: T): T {
  const tooltip = option.tooltip
  if (!tooltip) return option
  const asText = (one: unknown): unknown => ({ ...(one as object), renderMode: 'richText' })
  return { ...option, tooltip: Array.isArray(tooltip) ? tooltip.map(asText) : asText(tooltip) }
}
