export * from "./articles.js";
export * from "./cleanup.js";
export * from "./cursor.js";
export * from "./idempotency.js";
export * from "./media.js";
export * from "./migrations.js";
export * from "./pool.js";
export * from "./users.js";
