/**
 * Response headers that make the site harder to attack. The Content-Security-Policy allows scripts and styles
 * from this origin only (the build emits no inline script or style), and lets the page call the API and show
 * its images. Markdown is sanitised before it is rendered (src/markdown); the CSP is the second line of defence.
 * Reference: https://developer.mozilla.org/docs/Web/HTTP/Guides/CSP
 */
import type { RequestHandler } from "express";

export interface SecurityOptions {
  apiUrl: string;
  /** Extra origins for img-src (a presigned S3 host when the API redirects media). */
  mediaOrigins?: readonly string[];
}

export function contentSecurityPolicy({ apiUrl, mediaOrigins = [] }: SecurityOptions): string {
  const api = new URL(apiUrl).origin;
  const images = ["'self'", "data:", "blob:", api, ...mediaOrigins.map((value) => new URL(value).origin)];
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${[...new Set(images)].join(" ")}`,
    `connect-src 'self' ${api}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function securityHeaders(options: SecurityOptions): RequestHandler {
  const csp = contentSecurityPolicy(options);
  return (_req, res, next) => {
    res.setHeader("content-security-policy", csp);
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("referrer-policy", "strict-origin-when-cross-origin");
    res.setHeader("cross-origin-opener-policy", "same-origin");
    res.setHeader("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()");
    next();
  };
}
