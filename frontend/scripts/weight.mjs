// Prints the gzip size of the JS and CSS that dist/index.html loads up front:
// its module scripts, stylesheets and modulepreload links.
import { readFileSync, existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
const indexPath = join(dist, 'index.html')
if (!existsSync(indexPath)) {
  console.error('dist/index.html not found: run `npm run build` first')
  process.exit(1)
}
const html = readFileSync(indexPath, 'utf8')

const attr = (tag, name) => {
  const m = tag.match(new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i'))
  return m ? (m[2] ?? m[3] ?? m[4]) : null
}

const urls = new Set()
for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
  const src = attr(tag, 'src')
  if (src) urls.add(src)
}
for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
  const rel = (attr(tag, 'rel') ?? '').toLowerCase().split(/\s+/)
  const href = attr(tag, 'href')
  if (href && (rel.includes('stylesheet') || rel.includes('modulepreload'))) urls.add(href)
}

let bytes = 0
const files = []
for (const url of urls) {
  if (/^(https?:)?\/\//i.test(url) || url.startsWith('data:')) continue
  const path = join(dist, decodeURIComponent(url.split(/[?#]/)[0]).replace(/^\/+/, ''))
  if (!/\.(m?js|css)$/i.test(path)) continue
  const size = gzipSync(readFileSync(path)).length
  files.push({ file: url, gzip_kb: Math.round(size / 102.4) / 10 })
  bytes += size
}

if (process.argv.includes('--verbose')) {
  for (const f of files) console.error(`${f.gzip_kb.toFixed(1).padStart(7)} KB  ${f.file}`)
}
console.log(JSON.stringify({ js_css_gzip_kb: Math.round(bytes / 102.4) / 10 }))
