/**
 * Turns SQLite constraint failures into the API's error catalogue. Callers validate what they can
 * up front with readable messages; this is the safety net for races and for what only the
 * database knows (uniqueness, references still in use).
 */
import { AppError, badRequest, conflict } from '../../core/errors.ts';

export type ConstraintKind = 'unique' | 'foreignKey' | 'check' | 'notNull';

/** The constraint a failed statement hit, or null when the error is something else. */
export function constraintKind(err: unknown): ConstraintKind | null {
  const code = sqliteCode(err);
  switch (code) {
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
      return 'unique';
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
      return 'foreignKey';
    case 'SQLITE_CONSTRAINT_TRIGGER':
      // ON DELETE RESTRICT reports itself as a trigger failure.
      return /FOREIGN KEY/i.test(String((err as Error).message)) ? 'foreignKey' : null;
    case 'SQLITE_CONSTRAINT_CHECK':
      return 'check';
    case 'SQLITE_CONSTRAINT_NOTNULL':
      return 'notNull';
    default:
      return null;
  }
}

function sqliteCode(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e && depth < 3; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

export interface ConstraintMessages {
  unique?: string;
  foreignKey?: string;
  /** Foreign-key failures are CONFLICT (row still referenced) on delete, BAD_REQUEST on write. */
  foreignKeyCode?: 'CONFLICT' | 'BAD_REQUEST';
  check?: string;
}

/** Runs `fn`; a constraint failure becomes an AppError, anything else is rethrown as is. */
export function mapConstraints<T>(fn: () => T, messages: ConstraintMessages): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof AppError) throw err;
    switch (constraintKind(err)) {
      case 'unique':
        throw conflict(messages.unique ?? 'already exists');
      case 'foreignKey': {
        const msg = messages.foreignKey ?? 'a referenced record does not exist or is still in use';
        throw messages.foreignKeyCode === 'CONFLICT' ? conflict(msg) : badRequest(msg);
      }
      case 'check':
      case 'notNull':
        throw badRequest(messages.check ?? 'a value is out of range');
      case null:
        throw err;
    }
  }
}
