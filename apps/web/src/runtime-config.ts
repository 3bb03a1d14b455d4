/**
 * Settings that the server hands the browser at run time through /config.js (server/runtime-config.ts writes
 * it), so one built image works against any API URL.
 */
export interface RuntimeConfig {
  /** The API's URL, without a trailing slash. */
  apiUrl: string;
}

declare global {
  interface Window {
    __FOLIO_CONFIG__?: RuntimeConfig;
  }
}

export function runtimeConfig(): RuntimeConfig {
  const config = window.__FOLIO_CONFIG__;
  if (!config?.apiUrl) {
    throw new Error("The site's settings did not load: /config.js must set window.__FOLIO_CONFIG__ (served by apps/web/server).");
  }
  return config;
}

/** Media URLs from the API are paths ("/v1/media/…"); the browser needs them on the API's origin. */
export function apiUrl(path: string): string {
  return `${runtimeConfig().apiUrl}${path}`;
}
