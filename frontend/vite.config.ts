import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import AutoImport from 'unplugin-auto-import/vite'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// During `npm run dev`, /config.json comes from the local stack (or JIESU_BACKEND).
const backend = process.env.JIESU_BACKEND ?? 'http://localhost:8000'

export default defineConfig({
  plugins: [
    vue(),
    AutoImport({
      resolvers: [ElementPlusResolver()],
      dts: 'src/auto-imports.d.ts',
    }),
    Components({
      resolvers: [ElementPlusResolver()],
      dirs: [],
      dts: 'src/components.d.ts',
    }),
  ],
  define: {
    __VUE_I18N_FULL_INSTALL__: false,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // dist/.vite/manifest.json: tests/benchmarks/page_weight.py walks it to weigh the form's page.
    manifest: true,
    // Only the /developers route loads Swagger UI's one large chunk; the form's page stays small.
    chunkSizeWarningLimit: 1600,
  },
  server: {
    proxy: {
      '/config.json': backend,
    },
  },
})
