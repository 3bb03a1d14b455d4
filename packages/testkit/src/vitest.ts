// What the global setup (@folio/testkit/global-setup) hands to every test file.
import { inject } from "vitest";

export interface FolioServices {
  /** Superuser URL: give each test file its own database with createDatabase(databaseUrl). */
  databaseUrl: string;
  redisUrl: string;
  s3: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
}

declare module "vitest" {
  export interface ProvidedContext {
    folioServices: FolioServices;
  }
}

/** The servers the global setup started for this run. */
export function useTestServices(): FolioServices {
  const services = inject("folioServices") as FolioServices | undefined;
  if (!services) {
    throw new Error(
      'No test services: add globalSetup: ["@folio/testkit/global-setup"] to this package\'s vitest config',
    );
  }
  return services;
}
