import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { openPool } from './db/client.ts';

/**
 * The OpenAPI document exactly as the app serves it at /api-docs/json. Building the app opens no
 * database connection (the pool connects lazily), so no database is needed.
 */
export async function generateOpenApi(): Promise<string> {
  const database = openPool('postgres://unused@127.0.0.1:1/unused', 1);
  const app = await buildApp({ config: loadConfig({}), database });
  await app.ready();
  const doc = app.swagger();
  await app.close();
  await database.close();
  return `${JSON.stringify(doc, null, 2)}\n`;
}
