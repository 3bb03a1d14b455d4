/** Login tokens: HS256 JWTs signed with JWT_SECRET (jose). See docs/adr/0004-auth-jwt-scrypt.md. */
import { SignJWT, errors, jwtVerify } from "jose";
import { z } from "zod";
import type { UserRole } from "@folio/db";

const ISSUER = "folio-api";
const AUDIENCE = "folio";

/** The claims issue() writes that verify() relies on; jwtVerify has checked iss, aud, exp and the signature. */
const claimsSchema = z.object({ sub: z.uuid(), role: z.enum(["admin", "editor"]) });

export interface TokenClaims {
  userId: string;
  role: UserRole;
}

export interface TokenService {
  issue(claims: TokenClaims): Promise<{ token: string; expiresAt: Date }>;
  /** Returns undefined for any invalid, expired or foreign token. */
  verify(token: string): Promise<TokenClaims | undefined>;
}

export function createTokenService(secret: string, ttlSeconds: number): TokenService {
  const key = new TextEncoder().encode(secret);
  return {
    async issue({ userId, role }) {
      const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
      const token = await new SignJWT({ role })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(expiresAt)
        .sign(key);
      return { token, expiresAt };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ["HS256"] });
        // A valid signature only says who signed: the claims are still checked, so that a token signed with the
        // right secret but made by other code (or a leaked secret) cannot send a non-UUID id on to PostgreSQL.
        const claims = claimsSchema.safeParse(payload);
        return claims.success ? { userId: claims.data.sub, role: claims.data.role } : undefined;
      } catch (error) {
        if (error instanceof errors.JOSEError) return undefined;
        throw error;
      }
    },
  };
}
