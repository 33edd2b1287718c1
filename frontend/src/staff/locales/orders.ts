/** Messages of the orders screens, under staff.orders. */
export default {
  'zh-CN': {},
  en: {},
}
