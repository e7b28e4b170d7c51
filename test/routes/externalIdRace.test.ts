// Issue 9, item 7: "one external ID, one role" holds when a PUT that changes the role races a create.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cloudWatchBody, createIntegration, issueExternalId, OTHER_ROLE_ARN, ROLE_ARN, suiteApp, tenant } from './fixtures.ts';

const TRIES = 30;

describe('one external ID, one role, under concurrency', () => {
  const ctx = suiteApp();

  test(`a PUT moving an integration from R0 to R1 racing a create with the same external ID and R0 never leaves the ID backing two roles (${TRIES} tries)`, async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const outcomes = { putWon: 0, createWon: 0 };
    for (let i = 0; i < TRIES; i++) {
      const externalId = await issueExternalId(call);
      const first = await createIntegration(call, cloudWatchBody(externalId, { forceSave: true }));
      const [put, create] = await Promise.all([
        call('PUT', `/api/v2/cloudintegration/${first.id}`, {
          name: first.name,
          service: 'CLOUDWATCH',
          forceSave: true,
          cloudWatch: { baseCredentials: { roleArn: OTHER_ROLE_ARN } },
        }),
        call('POST', '/api/v2/cloudintegration', cloudWatchBody(externalId, { name: `racer ${i}`, forceSave: true })),
      ]);
      // Each may lose (a 400 naming the rule), but never a 5xx, and not both.
      for (const res of [put, create]) assert.ok(res.status === 200 || res.status === 400, `200 or 400, got ${res.status}: ${JSON.stringify(res.body)}`);
      assert.ok(put.status === 200 || create.status === 200, 'one of them succeeds');
      if (put.status === 200 && create.status !== 200) outcomes.putWon++;
      if (create.status === 200 && put.status !== 200) outcomes.createWon++;

      const roles = await testApp.database.pool.query(
        `SELECT DISTINCT role_arn FROM integrations WHERE customer_id = $1 AND external_id = $2`,
        [customerId, externalId],
      );
      assert.equal(roles.rows.length, 1, `external ID ${externalId} backs ${roles.rows.map((r) => r.role_arn).join(' and ')}`);
      const bound = await testApp.database.pool.query(`SELECT role_arn FROM external_ids WHERE value = $1`, [externalId]);
      assert.equal(bound.rows[0].role_arn, roles.rows[0].role_arn, 'the external ID is bound to the role its integrations use');
      assert.ok([ROLE_ARN, OTHER_ROLE_ARN].includes(bound.rows[0].role_arn));
    }
    assert.equal(outcomes.putWon + outcomes.createWon, TRIES, `exactly one wins each race: ${JSON.stringify(outcomes)}`);
  });
});
