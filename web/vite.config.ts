import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { fileURLToPath, URL } from 'node:url'

// Element Plus components (and their styles) are imported where a template
// uses them, and ECharts parts are registered on demand (src/utils/echarts.ts),
// so each page loads only what it shows. `npm run dev` proxies the API to a
// local `yanglao serve` (YANGLAO_API, default http://127.0.0.1:8080).
export default defineConfig({
  plugins: [vue(), Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false })],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: { proxy: { '/api': process.env.YANGLAO_API ?? 'http://127.0.0.1:8080' } },
})
