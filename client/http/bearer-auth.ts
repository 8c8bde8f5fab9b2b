import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time check of `Authorization: Bearer <token>`. Both sides are hashed first so the comparison takes the
 * same time whatever the length of the guess.
 */
export function bearerTokenMatches(authorization: string | undefined, expectedToken: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  const presented = match?.[1]?.trim() ?? '';
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expectedToken)) && presented.length > 0;
}
