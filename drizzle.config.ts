/**
 * drizzle-kit configuration: `npx drizzle-kit generate` (or `npm run db:generate`) compares
 * src/storage/schema.ts with the snapshots in migrations/meta and writes the next migration.
 * The generated SQL is committed; the daemon applies it at start (src/storage/database.ts).
 */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/storage/schema.ts',
  out: './migrations',
  // No credentials here: generate works from the schema and the snapshots alone.
  strict: true,
  verbose: true,
});
