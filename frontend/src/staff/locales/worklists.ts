/** Messages of the work lists (open and finished work, missed limits, the overdue board's filters,
 * the ranking's groups) and of the Excel exports, under staff.worklists. */
export default {
  'zh-CN': {
    state: {
      label: '办理情况',
      open: '待办',
      finished: '已办',
      all: '全部',
    },
    flags: {
      signMissed: '超时未签收',
      contactMissed: '超时未联系',
      signMissedTitle: '未在签收时限（{at}）内签收',
      contactMissedTitle: '未在联系时限（{at}）内联系诉求人',
    },
    overdue: {
      unit: '承办单位',
      district: '所属区',
      sortNote: '按超期时长排序，超期最久的在前。',
      lateBy: '超期时长',
    },
    export: {
      button: '导出 Excel',
      preparing: '正在生成文件…',
      downloading: '正在下载 {received} / {total}',
      done: '已导出 {rows} 行',
      truncated: '符合条件的记录超过 {rows} 行，文件只包含前 {rows} 行，请缩小筛选范围后分批导出。',
      failed: '导出失败，请重试',
    },
    ranking: {
      ranked: '参与排名（{n}）',
      insufficient: '样本不足（{n}）',
      insufficientNote: '当月派单量少于 {n} 件的单位样本不足，比率波动大，不参与排名，单独列出供参考。',
      insufficientTag: '样本不足',
      search: '单位名称',
      searchPlaceholder: '输入单位名称筛选',
    },
  },
  en: {
    state: {
      label: 'Work',
      open: 'Open',
      finished: 'Finished',
      all: 'All',
    },
    flags: {
      signMissed: 'Not signed in time',
      contactMissed: 'Not contacted in time',
      signMissedTitle: 'Not signed for within the sign-for limit ({at})',
      contactMissedTitle: 'Requester not contacted within the contact limit ({at})',
    },
    overdue: {
      unit: 'Lead unit',
      district: 'District',
      sortNote: 'Most overdue first.',
      lateBy: 'Overdue by',
    },
    export: {
      button: 'Export to Excel',
      preparing: 'Preparing the file…',
      downloading: 'Downloading {received} / {total}',
      done: '{rows} rows exported',
      truncated: 'More than {rows} rows match: the file holds the first {rows}. Narrow the filters and export in parts.',
      failed: 'The export failed, try again',
    },
    ranking: {
      ranked: 'Ranked ({n})',
      insufficient: 'Too few orders ({n})',
      insufficientNote: 'Units with fewer than {n} dispatched orders in the month are too few to compare: listed apart, unranked.',
      insufficientTag: 'Too few orders',
      search: 'Unit name',
      searchPlaceholder: 'Filter by unit name',
    },
  },
}
