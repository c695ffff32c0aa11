/**
 * Users: accounts, roles and password hashes. Keeps one invariant across tables: a user holds the
 * `agent` role exactly when an `agents` row exists for it (gaining the role creates the row,
 * losing it deletes the row with its skills and queue memberships). Password hashes never leave
 * this repository except through `findCredentials`, which only the auth service calls.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { DEFAULT_SCRYPT, hashPassword, type ScryptParams } from '../../auth/password.ts';
import { agents, users, type Role } from '../schema.ts';
import { mapConstraints } from './constraint-errors.ts';
import { inTransaction, type RepoContext } from './context.ts';

export interface User {
  id: number;
  username: string;
  displayName: string;
  roles: Role[];
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
  /** Replay by phone: the numeric id keyed on the phone (null: none). The PIN never leaves. */
  phoneId: string | null;
}

export interface NewUser {
  username: string;
  displayName: string;
  password: string;
  roles: Role[];
  disabled?: boolean;
}

export interface UserPatch {
  displayName?: string;
  roles?: Role[];
  disabled?: boolean;
}

const publicColumns = {
  id: users.id,
  username: users.username,
  displayName: users.displayName,
  roles: users.roles,
  disabled: users.disabled,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
  phoneId: users.phoneId,
};

export class UsersRepository {
  private readonly scrypt: ScryptParams;

  constructor(
    private readonly ctx: RepoContext,
    opts: { scrypt?: ScryptParams } = {},
  ) {
    this.scrypt = opts.scrypt ?? DEFAULT_SCRYPT;
  }

  findByUsername(username: string): User | null {
    return this.ctx.db.select(publicColumns).from(users).where(eq(users.username, username)).get() ?? null;
  }

  findById(id: number): User | null {
    return this.ctx.db.select(publicColumns).from(users).where(eq(users.id, id)).get() ?? null;
  }

  list(): User[] {
    return this.ctx.db.select(publicColumns).from(users).orderBy(asc(users.username)).all();
  }

  /** The user and its stored hash, for the auth service only. */
  findCredentials(username: string): { user: User; passwordHash: string } | null {
    const row = this.ctx.db.select({ ...publicColumns, passwordHash: users.passwordHash }).from(users).where(eq(users.username, username)).get();
    if (!row) return null;
    const { passwordHash, ...user } = row;
    return { user, passwordHash };
  }

  /** The user keyed on the phone for replay by phone, and its PIN hash; for the replay login only. */
  findPhoneCredentials(phoneId: string): { user: User; pinHash: string } | null {
    const row = this.ctx.db.select({ ...publicColumns, pinHash: users.phonePinHash }).from(users).where(eq(users.phoneId, phoneId)).get();
    if (!row || row.pinHash === null) return null;
    const { pinHash, ...user } = row;
    return { user, pinHash };
  }

  /** Sets (or, with null, clears) the user's phone id and PIN hash; false when there is no such
   * user. CONFLICT when another user has the phone id. */
  setPhoneReplay(id: number, replay: { phoneId: string; pinHash: string } | null): boolean {
    return mapConstraints(
      () => this.ctx.db.update(users).set({ phoneId: replay?.phoneId ?? null, phonePinHash: replay?.pinHash ?? null, updatedAt: this.ctx.clock.now() }).where(eq(users.id, id)).run().changes > 0,
      { unique: `phone id ${replay?.phoneId ?? ''} is taken` },
    );
  }

  /** Hashes the password (async, off the event loop) then inserts. CONFLICT on a taken username. */
  async create(input: NewUser): Promise<User> {
    const passwordHash = await hashPassword(input.password, this.scrypt);
    return this.createWithHash({ ...input, passwordHash });
  }

  /** Inserts a user whose password is already hashed (seeding, imports, atomic admin writes). */
  createWithHash(input: Omit<NewUser, 'password'> & { passwordHash: string }): User {
    const now = this.ctx.clock.now();
    const roles = uniqueRoles(input.roles);
    return mapConstraints(
      () =>
        inTransaction(this.ctx.db, () => {
          const user = this.ctx.db
            .insert(users)
            .values({
              username: input.username,
              displayName: input.displayName,
              passwordHash: input.passwordHash,
              roles,
              disabled: input.disabled ?? false,
              createdAt: now,
              updatedAt: now,
            })
            .returning(publicColumns)
            .get();
          this.syncAgentRow(user.id, roles);
          return user;
        }),
      { unique: `username ${input.username} is taken` },
    );
  }

  /** Applies `patch`; null when there is no such user. */
  update(id: number, patch: UserPatch): User | null {
    const set: Partial<typeof users.$inferInsert> = { updatedAt: this.ctx.clock.now() };
    if (patch.displayName !== undefined) set.displayName = patch.displayName;
    if (patch.roles !== undefined) set.roles = uniqueRoles(patch.roles);
    if (patch.disabled !== undefined) set.disabled = patch.disabled;
    return inTransaction(this.ctx.db, () => {
      const user = this.ctx.db.update(users).set(set).where(eq(users.id, id)).returning(publicColumns).get();
      if (!user) return null;
      if (patch.roles !== undefined) this.syncAgentRow(id, user.roles);
      return user;
    });
  }

  /** Hashes and stores a new password; false when there is no such user. */
  async setPassword(id: number, password: string): Promise<boolean> {
    const passwordHash = await hashPassword(password, this.scrypt);
    return this.setPasswordHash(id, passwordHash);
  }

  setPasswordHash(id: number, passwordHash: string): boolean {
    const res = this.ctx.db.update(users).set({ passwordHash, updatedAt: this.ctx.clock.now() }).where(eq(users.id, id)).run();
    return res.changes > 0;
  }

  /** Deletes the user with its agent row, skills, memberships and tokens. History keeps the username. */
  delete(id: number): boolean {
    return this.ctx.db.delete(users).where(eq(users.id, id)).run().changes > 0;
  }

  /** Enabled users holding `role`. */
  countWithRole(role: Role): number {
    const row = this.ctx.db
      .select({ n: sql<number>`count(*)` })
      .from(users)
      .where(and(eq(users.disabled, false), sql`exists (select 1 from json_each(${users.roles}) where value = ${role})`))
      .get();
    return row?.n ?? 0;
  }

  private syncAgentRow(userId: number, roles: readonly Role[]): void {
    if (roles.includes('agent')) {
      this.ctx.db.insert(agents).values({ userId }).onConflictDoNothing().run();
    } else {
      this.ctx.db.delete(agents).where(eq(agents.userId, userId)).run();
    }
  }
}

function uniqueRoles(roles: readonly Role[]): Role[] {
  return [...new Set(roles)];
}
