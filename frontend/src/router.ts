import { createRouter, createWebHistory } from 'vue-router'
import SubmitView from './views/SubmitView.vue'

declare module 'vue-router' {
  interface RouteMeta {
    titleKey?: string
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
      // The API reference loads its renderer only here: it adds nothing to the form's page.
      path: '/developers',
      name: 'developers',
      component: () => import('./views/DevelopersView.vue'),
      meta: { titleKey: 'developers.title' },
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
