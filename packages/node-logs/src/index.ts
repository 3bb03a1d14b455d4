export * from "./entries.js";
export * from "./heartbeats.js";
