// The floor the API benchmark compares Skyport with: bare Fastify + pg on the same `integrations` table.
// No auth, no validation, no schemas, no logging, no hooks: pool.query → reply.send(row).
// Env: DATABASE_URL, PORT, HOST (127.0.0.1), POOL_SIZE (10, Skyport's default SKYPORT_DB_POOL_SIZE).
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.POOL_SIZE ?? 10),
  application_name: 'skyport-bench-baseline',
});
const app = Fastify({ logger: false });

app.get('/healthz', async () => ({ status: 'ok' }));

app.get<{ Params: { id: string } }>('/integrations/:id', async (request, reply) => {
  const { rows } = await pool.query('SELECT * FROM integrations WHERE id = $1', [request.params.id]);
  if (rows.length === 0) return reply.code(404).send({ error: 'not found' });
  return reply.send(rows[0]);
});

// The same page Skyport's list reads (one customer's live rows in creation order), without the total count.
app.get<{ Querystring: { limit?: string; offset?: string } }>('/integrations', async (request, reply) => {
  const { rows } = await pool.query(
    'SELECT * FROM integrations WHERE customer_id = $1 AND NOT in_trash ORDER BY created_ms, id LIMIT $2 OFFSET $3',
    ['default', Number(request.query.limit ?? 100), Number(request.query.offset ?? 0)],
  );
  return reply.send(rows);
});

interface Body {
  name: string;
  service: string;
  cloudWatch: { baseCredentials: { roleArn: string; externalId: string } } & Record<string, unknown>;
}

app.post<{ Body: Body }>('/integrations', async (request, reply) => {
  const body = request.body;
  const now = Date.now();
  const { rows } = await pool.query(
    `INSERT INTO integrations (id, customer_id, name, service, refresh_mins, config, role_arn, external_id, creator_id, updater_id, created_ms, updated_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $10) RETURNING *`,
    [
      randomUUID(),
      'default',
      body.name,
      body.service,
      5,
      body.cloudWatch,
      body.cloudWatch.baseCredentials.roleArn,
      body.cloudWatch.baseCredentials.externalId,
      'bench',
      now,
    ],
  );
  return reply.send(rows[0]);
});

app.delete<{ Params: { id: string } }>('/integrations/:id', async (request, reply) => {
  const { rows } = await pool.query('DELETE FROM integrations WHERE id = $1 RETURNING *', [request.params.id]);
  if (rows.length === 0) return reply.code(404).send({ error: 'not found' });
  return reply.send(rows[0]);
});

// A normal exit on SIGTERM, so that `node --cpu-prof` writes its profile.
process.once('SIGTERM', () => {
  void app.close().then(() => pool.end()).then(() => process.exit(0));
});

await app.listen({ port: Number(process.env.PORT ?? 8081), host: process.env.HOST ?? '127.0.0.1' });
