/**
 * `npm run ledger:verify -- [--db DATA_DIR/switchboard.db]`: walks the access ledger's hash chain.
 * Exit 0 and "ledger ok: N rows", or exit 1 naming the first broken row (docs/recording.md, "Ledger").
 * Opens the database read-only; safe while the daemon runs.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AccessLedgerRepository } from '../../storage/repositories/access-ledger.ts';
import { verifyChain } from './chain.ts';

export function verifyLedgerFile(file: string): { ok: boolean; rows: number; message: string } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const { rows, broken } = verifyChain(new AccessLedgerRepository(db).all());
    if (broken) return { ok: false, rows, message: `ledger BROKEN at ${broken.message}` };
    return { ok: true, rows, message: `ledger ok: ${rows} rows` };
  } finally {
    db.close();
  }
}

function main(argv: string[]): number {
  let file = join(process.env.DATA_DIR ?? './data', 'switchboard.db');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--db' && argv[i + 1]) file = argv[++i]!;
    else if (argv[i] === '--help' || argv[i] === '-h') {
      process.stdout.write('usage: npm run ledger:verify -- [--db DATA_DIR/switchboard.db]\n');
      return 0;
    } else {
      process.stderr.write(`unknown argument ${argv[i]}\n`);
      return 2;
    }
  }
  try {
    const r = verifyLedgerFile(file);
    (r.ok ? process.stdout : process.stderr).write(`${r.message}\n`);
    return r.ok ? 0 : 1;
  } catch (err) {
    process.stderr.write(`cannot read ${file}: ${(err as Error).message}\n`);
    return 2;
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!)) process.exitCode = main(process.argv.slice(2));
