/**
 * The settings the browser code needs, delivered at run time as /config.js, so one built image serves any API
 * URL. index.html loads it with `defer` before the app's module script, and deferred scripts run in document
 * order, so the app always finds it. The browser side reads it in src/runtime-config.ts (same shape).
 */
export interface RuntimeConfig {
  /** The API's URL as browsers reach it, without a trailing slash. */
  apiUrl: string;
}

export function runtimeConfigScript(config: RuntimeConfig): string {
  // JSON is a JavaScript expression. Escaping "<" keeps a value from ever closing a <script> element.
  const json = JSON.stringify(config).replace(/</g, "\\u003c");
  return `window.__FOLIO_CONFIG__ = Object.freeze(${json});\n`;
}
