/** Messages of the admin screens, under staff.admin. */
export default {
  'zh-CN': {},
  en: {},
}
