import { createHash, timingSafeEqual } from 'node:crypto';

/** The token of `Authorization: Bearer <token>`, or '' when there is none. */
export function presentedBearerToken(authorization: string | undefined): string {
  return /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim() ?? '';
}

/**
 * Constant-time check of `Authorization: Bearer <token>`. Both sides are hashed first so the comparison takes the
 * same time whatever the length of the guess.
 */
export function bearerTokenMatches(authorization: string | undefined, expectedToken: string): boolean {
  const presented = presentedBearerToken(authorization);
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expectedToken)) && presented.length > 0;
}
