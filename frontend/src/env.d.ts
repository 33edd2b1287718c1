/// <reference types="vite/client" />

// swagger-ui-dist ships no types; the developers page only calls the constructor and its preset.
declare module 'swagger-ui-dist/swagger-ui-es-bundle.js' {
  interface SwaggerUIOptions {
    domNode: HTMLElement
    spec?: object
    url?: string
    deepLinking?: boolean
    validatorUrl?: string | null
    presets?: unknown[]
    layout?: string
    tryItOutEnabled?: boolean
    defaultModelsExpandDepth?: number
    docExpansion?: 'list' | 'full' | 'none'
    [key: string]: unknown
  }
  interface SwaggerUIBundleFn {
    (options: SwaggerUIOptions): unknown
    presets: { apis: unknown }
  }
  const SwaggerUIBundle: SwaggerUIBundleFn
  export default SwaggerUIBundle
}
