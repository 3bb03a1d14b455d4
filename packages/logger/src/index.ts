/**
 * Structured JSON logs to stdout (the container runtime collects them), one request id per HTTP request,
 * and secrets redacted wherever they might appear: headers, bodies we choose to log, connection strings.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { destination as pinoDestination, pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { pinoHttp, type HttpLogger } from "pino-http";

export type { Logger };

/** Paths pino replaces with "[redacted]". Keep in sync with anything that could carry a credential. */
export const REDACT_PATHS = [
  "password",
  "*.password",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "*.secretAccessKey",
  "*.databaseUrl",
  "*.DATABASE_URL",
  "*.JWT_SECRET",
  "*.ADMIN_PASSWORD",
  "*.S3_SECRET_ACCESS_KEY",
  "req.headers.authorization",
  "req.headers.cookie",
  'res.headers["set-cookie"]',
];

export interface LoggerSettings {
  name: string;
  level?: LoggerOptions["level"];
}

/**
 * Asynchronous stdout: lines written while a write is in flight are coalesced into one syscall, which keeps
 * per-request logging cheap under load. pino flushes what is pending when the process exits normally; a
 * SIGKILL can lose the lines of the last few milliseconds, which is the usual trade (pino's own advice).
 */
export function stdoutDestination(): DestinationStream {
  return pinoDestination({ dest: 1, sync: false });
}

export function createLogger(settings: LoggerSettings, destination: DestinationStream = stdoutDestination()): Logger {
  const options: LoggerOptions = {
    name: settings.name,
    level: settings.level ?? "info",
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    // Plain ISO timestamps read better in `kubectl logs` than epoch milliseconds.
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return pino(options, destination);
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Reuses a well-formed incoming X-Request-Id (from the ingress) or makes a new one, and echoes it back. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers["x-request-id"];
  const id = typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader("x-request-id", id);
  return id;
}

export interface HttpLoggerOptions {
  /** Paths not worth a log line each (probes, metrics scrapes). */
  quietPaths?: string[];
}

export function createHttpLogger(logger: Logger, options: HttpLoggerOptions = {}): HttpLogger {
  const quiet = new Set(options.quietPaths ?? ["/healthz", "/readyz", "/metrics"]);
  return pinoHttp({
    // Access lines carry only whitelisted fields (the serializers below: no headers, no bodies), so they skip
    // the redaction pass, which is the most expensive part of logging every request.
    logger: logger.child({}, { redact: [] }),
    genReqId: requestId,
    autoLogging: { ignore: (req) => quiet.has((req.url ?? "").split("?")[0] ?? "") },
    customLogLevel: (_req, res, error) => {
      if (error || res.statusCode >= 500) return "error";
      if (res.statusCode >= 400) return "warn";
      return "info";
    },
    // Our serializers read the raw request and response. pino-http would otherwise first copy each into
    // pino-std-serializers' full shape (every header, the remote address) only for us to pick three fields.
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage & { id?: unknown }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
  });
}
