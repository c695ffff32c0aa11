/**
 * Session tokens, stored only as their sha256 (a leaked database does not leak live sessions).
 * The auth service makes and checks tokens; this is just the table.
 */
import { and, eq, isNull, lt, or, isNotNull } from 'drizzle-orm';
import { authTokens, users, type Role } from '../schema.ts';
import type { RepoContext } from './context.ts';

export interface TokenRecord {
  tokenHash: string;
  userId: number;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  user: { id: number; username: string; displayName: string; roles: Role[]; disabled: boolean };
}

export class AuthTokensRepository {
  constructor(private readonly ctx: RepoContext) {}

  insert(row: { tokenHash: string; userId: number; createdAt: number; expiresAt: number }): void {
    this.ctx.db.insert(authTokens).values(row).run();
  }

  /** The token row with its user, or null. */
  find(tokenHash: string): TokenRecord | null {
    const row = this.ctx.db
      .select({
        tokenHash: authTokens.tokenHash,
        userId: authTokens.userId,
        createdAt: authTokens.createdAt,
        expiresAt: authTokens.expiresAt,
        revokedAt: authTokens.revokedAt,
        id: users.id,
        username: users.username,
        displayName: users.displayName,
        roles: users.roles,
        disabled: users.disabled,
      })
      .from(authTokens)
      .innerJoin(users, eq(users.id, authTokens.userId))
      .where(eq(authTokens.tokenHash, tokenHash))
      .get();
    if (!row) return null;
    const { id, username, displayName, roles, disabled, ...token } = row;
    return { ...token, user: { id, username, displayName, roles, disabled } };
  }

  /** False when unknown or already revoked. */
  revoke(tokenHash: string, at: number): boolean {
    return this.ctx.db
      .update(authTokens)
      .set({ revokedAt: at })
      .where(and(eq(authTokens.tokenHash, tokenHash), isNull(authTokens.revokedAt)))
      .run().changes > 0;
  }

  /** Revokes every live token of a user; returns how many. */
  revokeAllForUser(userId: number, at: number): number {
    return this.ctx.db
      .update(authTokens)
      .set({ revokedAt: at })
      .where(and(eq(authTokens.userId, userId), isNull(authTokens.revokedAt)))
      .run().changes;
  }

  /** Deletes tokens that expired or were revoked before `before`; returns how many. */
  purge(before: number): number {
    return this.ctx.db
      .delete(authTokens)
      .where(or(lt(authTokens.expiresAt, before), and(isNotNull(authTokens.revokedAt), lt(authTokens.revokedAt, before))))
      .run().changes;
  }
}
