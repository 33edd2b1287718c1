import { createRouter, createWebHistory } from 'vue-router'
import type { RouteComponent, RouteRecordRaw } from 'vue-router'
import SubmitView from './views/SubmitView.vue'

function staffPage(
  path: string,
  name: string,
  component: () => Promise<RouteComponent>,
  nav: string,
): RouteRecordRaw {
  return { path, name, component, meta: { layout: 'staff', titleKey: `staff.common.nav.${nav}` } }
}

declare module 'vue-router' {
  interface RouteMeta {
    titleKey?: string
    /** 'staff': the portal draws its own chrome (StaffLayout) instead of the public header. */
    layout?: 'staff'
  }
}

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes: [
    { path: '/', name: 'submit', component: SubmitView, meta: { titleKey: 'submit.title' } },
    {
      path: '/track',
      name: 'lookup',
      component: () => import('./views/TrackLookupView.vue'),
      meta: { titleKey: 'lookup.title' },
    },
    {
      path: '/track/:id',
      name: 'track',
      component: () => import('./views/TrackView.vue'),
      meta: { titleKey: 'track.title' },
    },
    {
      // The effectiveness board (Art. 34) loads its charts only here.
      path: '/board',
      name: 'board',
      component: () => import('./views/BoardView.vue'),
      meta: { titleKey: 'board.title' },
    },
    {
      // The API reference loads its renderer only here: it adds nothing to the form's page.
      path: '/developers',
      name: 'developers',
      component: () => import('./views/DevelopersView.vue'),
      meta: { titleKey: 'developers.title' },
    },
    {
      path: '/staff/sign-in',
      name: 'staff-sign-in',
      component: () => import('./staff/views/SignInView.vue'),
      meta: { layout: 'staff', titleKey: 'staff.common.signIn.title' },
    },
    {
      // The staff portal: its code and messages load only under /staff (staff/guard.ts).
      path: '/staff',
      component: () => import('./staff/StaffLayout.vue'),
      meta: { layout: 'staff' },
      children: [
        { path: '', name: 'staff-home', component: () => import('./staff/views/OrdersView.vue') },
        staffPage('intake', 'staff-intake', () => import('./staff/views/IntakeView.vue'), 'intake'),
        staffPage('dispatch', 'staff-dispatch', () => import('./staff/views/DispatchView.vue'), 'dispatch'),
        staffPage('inbox', 'staff-inbox', () => import('./staff/views/InboxView.vue'), 'inbox'),
        staffPage('orders', 'staff-orders', () => import('./staff/views/OrdersView.vue'), 'orders'),
        { path: 'review', name: 'staff-review', redirect: { name: 'staff-orders', query: { status: 'in_review' } } },
        staffPage('orders/:id', 'staff-order', () => import('./staff/views/OrderView.vue'), 'orders'),
        staffPage('whistles', 'staff-whistles', () => import('./staff/views/WhistlesView.vue'), 'whistles'),
        staffPage('whistles/:id', 'staff-whistle', () => import('./staff/views/WhistleView.vue'), 'whistles'),
        staffPage('supervision', 'staff-supervision', () => import('./staff/views/SupervisionView.vue'), 'supervision'),
        staffPage('appeals', 'staff-appeals', () => import('./staff/views/AppealsView.vue'), 'appeals'),
        staffPage('admin/users', 'staff-admin-users', () => import('./staff/admin/UsersView.vue'), 'users'),
        staffPage('admin/units', 'staff-admin-units', () => import('./staff/admin/UnitsView.vue'), 'units'),
        staffPage('admin/catalogue', 'staff-admin-catalogue', () => import('./staff/admin/CatalogueView.vue'), 'catalogue'),
        staffPage('admin/time-limits', 'staff-admin-time-limits', () => import('./staff/admin/TimeLimitsView.vue'), 'timeLimits'),
        staffPage('admin/knowledge', 'staff-admin-knowledge', () => import('./staff/admin/KnowledgeView.vue'), 'knowledge'),
        staffPage('admin/keys', 'staff-admin-keys', () => import('./staff/admin/KeysView.vue'), 'keys'),
        staffPage('admin/audit', 'staff-admin-audit', () => import('./staff/admin/AuditView.vue'), 'audit'),
        staffPage('analytics/topics', 'staff-analytics-topics', () => import('./staff/views/analytics/TopicsView.vue'), 'analyticsTopics'),
        staffPage('analytics/trends', 'staff-analytics-trends', () => import('./staff/views/analytics/TrendsView.vue'), 'analyticsTrends'),
        staffPage('analytics/rankings', 'staff-analytics-rankings', () => import('./staff/views/analytics/RankingsView.vue'), 'analyticsRankings'),
        staffPage('analytics/warnings', 'staff-analytics-warnings', () => import('./staff/views/analytics/WarningsView.vue'), 'analyticsWarnings'),
        staffPage('analytics/briefing', 'staff-analytics-briefing', () => import('./staff/views/analytics/BriefingView.vue'), 'analyticsBriefing'),
        staffPage('analytics/models', 'staff-analytics-models', () => import('./staff/views/analytics/ModelsView.vue'), 'analyticsModels'),
        {
          path: ':pathMatch(.*)*',
          name: 'staff-not-found',
          component: () => import('./views/NotFoundView.vue'),
          meta: { layout: 'staff', titleKey: 'staff.common.notFound' },
        },
      ],
    },
    {
      path: '/:pathMatch(.*)*',
      name: 'not-found',
      component: () => import('./views/NotFoundView.vue'),
      meta: { titleKey: 'notFound.title' },
    },
  ],
  scrollBehavior(_to, _from, saved) {
    return saved ?? { top: 0 }
  },
})

router.beforeEach(async (to) => {
  if (to.meta.layout !== 'staff') return true
  const { guard } = await import('./staff/guard')
  return guard(to)
})
