export * from "./errors.js";
export * from "./metrics.js";
export * from "./openapi.js";
export * from "./probes.js";
export * from "./routes.js";
export * from "./server.js";
export * from "./text.js";
