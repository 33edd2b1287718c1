import { createApp } from 'vue'
import App from './App.vue'
import { i18n } from './i18n'
import { router } from './router'
import { loadConfig } from './lib/config'
import './styles.css'

async function start(): Promise<void> {
  let configFailed = false
  try {
    await loadConfig()
  } catch (error) {
    console.error(error)
    configFailed = true
  }
  createApp(App, { configFailed }).use(i18n).use(router).mount('#app')
}

void start()
