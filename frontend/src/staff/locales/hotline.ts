/** Messages of the hotline screens, under staff.hotline. */
export default {
  'zh-CN': {},
  en: {},
}
