import type { Client } from '@temporalio/client';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { runCli } from '../../client/cli/program';
import { EngagementClient } from '../../client/engagement-client';
import { InputValidationError } from '../../client/errors';
import { buildApi } from '../../client/http/api';
import * as inputs from '../../domain/inputs';
import { parseInput } from '../../domain/validation';
import {
  addMilestoneCorruption,
  badEngagementId,
  badId,
  bodyCase,
  names,
  retryCorruption,
  startCorruption,
  validAddMilestone,
  validRetry,
  validStart,
} from './edges-arbitraries';
import type { Corruption } from './edges-arbitraries';
import { cliCase } from './edges-cli-cases';
import { httpCase } from './edges-http-cases';
import type { HttpCase } from './edges-http-cases';
import { fakeEngagements, KNOWN_ID } from './fake-engagements';
import { call, listenLocal } from './http-call';
import { signWebhook } from './webhook-delivery';

/**
 * Bad input at every door — each HTTP route, each CLI command, each update and the library — never answers 5xx,
 * never throws anything but a typed error, always names the bad field, and never reaches the engagements (the
 * fake records no call). What a door accepts, the workflow's own start accepts too. EDGE_PROPERTY_RUNS sets the
 * total number of cases (CI 1,500; `npm run test:edges:full` runs 12,000); the outcome counts are printed.
 */
const TOTAL_RUNS = Number(process.env.EDGE_PROPERTY_RUNS ?? 1_500);
const runs = (share: number) => ({ numRuns: Math.max(1, Math.round(TOTAL_RUNS * share)) });
jest.setTimeout(Math.max(60_000, TOTAL_RUNS * 40));

const TOKEN = 'test-api-token';
const SECRET = 'whsec_test_secret';
/** One outcome per generated case (`library …` lines count the extra library calls a case makes). */
const outcomes = new Map<string, number>();
const count = (outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);

let engagements: ReturnType<typeof fakeEngagements>;
let rings: unknown[];
let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  engagements = fakeEngagements();
  rings = [];
  app = await buildApi({
    engagements,
    apiToken: TOKEN,
    webhook: { secret: () => SECRET, ringDoorbell: (id) => void rings.push(id) },
  });
  baseUrl = await listenLocal(app);
});
afterAll(async () => {
  await app.close();
  const cases = [...outcomes]
    .filter(([outcome]) => !outcome.startsWith('library'))
    .reduce((n, [, k]) => n + k, 0);
  const table = [...outcomes.entries()].sort().map(([outcome, n]) => `  ${outcome.padEnd(44)} ${n}`);
  console.log(`edge property: ${cases} generated cases, outcomes by status:\n${table.join('\n')}`);
});

const resetFake = () => Object.values(engagements).forEach((fn) => fn.mockClear());
const fakeCalls = () => Object.values(engagements).reduce((n, fn) => n + fn.mock.calls.length, 0);

async function checkHttp(c: HttpCase): Promise<void> {
  resetFake();
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
  if (typeof c.body === 'string') headers['content-type'] = 'application/json';
  const res = await call(baseUrl, { method: c.method, url: c.url, headers, payload: c.body });
  count(`http ${c.kind} → ${res.statusCode}`);
  expect(res.statusCode).toBeLessThan(500);
  if (c.kind === 'valid') {
    expect(res.statusCode).not.toBe(400);
    // What got through reached the engagements as the workflow's own start accepts it.
    const started = engagements.start.mock.calls[0]?.[0];
    if (started) expect(inputs.engagementInputSchema.safeParse(started).success).toBe(true);
    return;
  }
  expect(res.statusCode).toBe(400);
  expect(fakeCalls()).toBe(0);
  const body = res.json() as { code: string; fields?: { path: string }[] };
  if (c.kind === 'junk') {
    // Not JSON, or JSON that is not an object: named as the body itself, or called malformed or empty.
    const named = (body.fields ?? []).length > 0;
    expect(named ? 'fields' : body.code).toMatch(/^(fields|FST_ERR_CTP_(INVALID|EMPTY)_JSON_BODY)$/);
    return;
  }
  const reported = (body.fields ?? []).map((f) => f.path);
  for (const field of c.fields)
    expect([field.join('.'), names(reported, field)]).toEqual([field.join('.'), true]);
}

/** The library methods that take this input; each must refuse it before reaching Temporal. */
function libraryCalls(library: EngagementClient, door: NonNullable<SchemaCase['door']>, body: unknown) {
  const input = body as never;
  switch (door) {
    case 'start':
      return [() => library.start(input)];
    case 'addMilestone':
      return [() => library.addMilestone(KNOWN_ID, input)];
    case 'retry':
      return [() => library.retry(KNOWN_ID, input)];
    case 'fund': {
      const { milestoneId } = body as { milestoneId: string };
      return [
        () => library.fundMilestone(KNOWN_ID, milestoneId),
        () => library.releaseMilestone(KNOWN_ID, milestoneId),
      ];
    }
    case 'id': {
      const id = body as string;
      return [
        () => library.getState(id),
        () => library.end(id),
        () => library.confirmNotFit(id),
        () => library.recheckPreconditions(id),
        () => library.addMilestone(id, { description: 'x', amountUsd: 1 }),
        () => library.fundMilestone(id, 'm_1'),
        () => library.retry(id, { approvalId: 'a' }),
      ];
    }
  }
}

interface SchemaCase {
  schema: z.ZodType;
  body: unknown;
  expect: string[][];
  /** The library method that takes the same input, when there is one. */
  door?: 'start' | 'addMilestone' | 'retry' | 'fund' | 'id';
}

describe('edges: generated bad input', () => {
  it('every HTTP route answers a 400 naming each bad field, never a 5xx, and calls nothing', async () => {
    await fc.assert(fc.asyncProperty(httpCase, checkHttp), runs(0.45));
  });

  it('the webhook refuses every delivery it cannot verify with a 400, and never rings', async () => {
    const deliveries = fc.record({
      body: fc.oneof(
        fc.string(),
        fc.jsonValue().map((v) => JSON.stringify(v)),
      ),
      signature: fc.oneof(
        fc.string(),
        fc.constant(undefined),
        fc.integer({ min: 301, max: 100_000 }).map((ago) => ({ ago })),
        fc.constant({ secret: 'whsec_forger' }),
      ),
    });
    await fc.assert(
      fc.asyncProperty(deliveries, async ({ body, signature }) => {
        rings.length = 0;
        const now = Math.floor(Date.now() / 1000);
        const header =
          signature === undefined || typeof signature === 'string'
            ? signature
            : 'ago' in signature
              ? signWebhook(SECRET, body, now - signature.ago)
              : signWebhook(signature.secret, body);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (header !== undefined) headers['x-opentrain-signature'] = header;
        const res = await call(baseUrl, {
          method: 'POST',
          url: '/webhooks/opentrain',
          headers,
          payload: body,
        });
        count(`webhook bad → ${res.statusCode}`);
        expect(res.statusCode).toBe(400);
        expect(rings).toEqual([]);
      }),
      runs(0.05),
    );
  });

  it('every CLI command exits 2 naming the bad flag, and never connects', async () => {
    await fc.assert(
      fc.asyncProperty(cliCase, async ({ args, mention }) => {
        const err: string[] = [];
        const connect = jest.fn();
        const code = await runCli(args, {
          connect,
          stdout: () => undefined,
          stderr: (t) => err.push(t),
          isTTY: false,
          now: () => 0,
        });
        count(`cli bad → exit ${code}`);
        expect([args, code]).toEqual([args, 2]);
        expect(err).toHaveLength(1);
        expect(err[0]).toContain(mention);
        expect(connect).not.toHaveBeenCalled();
      }),
      runs(0.25),
    );
  });

  it('every update and signal schema, and the library, refuse with a typed error naming the field', async () => {
    const lenient = (c: Corruption) => !['unknown key', 'prototype key'].includes(c.kind);
    const schemaCases: fc.Arbitrary<SchemaCase> = fc.oneof(
      bodyCase(validStart, startCorruption.filter(lenient)).map((b) => ({
        schema: inputs.engagementInputSchema,
        ...b,
        door: 'start' as const,
      })),
      bodyCase(validAddMilestone, addMilestoneCorruption.filter(lenient)).map((b) => ({
        schema: inputs.addMilestoneInputSchema,
        ...b,
        door: 'addMilestone' as const,
      })),
      bodyCase(validRetry, retryCorruption.filter(lenient)).map((b) => ({
        schema: inputs.retryInputSchema,
        ...b,
        door: 'retry' as const,
      })),
      badId.map((milestoneId) => ({
        schema: inputs.milestoneRefSchema,
        body: { milestoneId },
        expect: [['milestoneId']],
        door: 'fund' as const,
      })),
      badEngagementId.map((id) => ({
        schema: inputs.engagementIdSchema,
        body: id,
        expect: [[]],
        door: 'id' as const,
      })),
      badId.map((approvalId) => ({
        schema: inputs.approvalResolvedSchema,
        body: { approvalId, status: 'confirmed' },
        expect: [['approvalId']],
        door: undefined,
      })),
      fc
        .oneof(fc.constant(null), fc.integer(), fc.string(), fc.constant([]))
        .chain((value) =>
          fc
            .constantFrom(
              inputs.endContractInputSchema,
              inputs.confirmNotFitInputSchema,
              inputs.recheckPreconditionsInputSchema,
              inputs.openTrainEventNoticeSchema,
            )
            .map((schema): SchemaCase => ({ schema, body: value, expect: [[]] })),
        ),
    );
    // A Temporal client that must never be reached: any use of it fails the case.
    const temporal = {
      workflow: new Proxy(
        {},
        {
          get: () => {
            throw new Error('Temporal was reached');
          },
        },
      ),
    } as unknown as Client;
    const library = new EngagementClient(temporal);
    await fc.assert(
      fc.asyncProperty(schemaCases, async ({ schema, body, expect: fields, door }) => {
        let error: unknown;
        try {
          parseInput(schema, body);
        } catch (err) {
          error = err;
        }
        if (fields.length === 0) {
          count('update schema valid → accepted');
          expect(error).toBeUndefined();
          return;
        }
        count(
          `update schema bad → ${error instanceof InputValidationError ? 'InputValidationError' : String(error)}`,
        );
        expect(error).toBeInstanceOf(InputValidationError);
        const reported = (error as InputValidationError).issues.map((i) => i.path);
        for (const field of fields) expect(names(reported, field)).toBe(true);
        if (!door) return;
        for (const attempt of libraryCalls(library, door, body)) {
          await expect(attempt()).rejects.toBeInstanceOf(InputValidationError);
          count('library bad → InputValidationError');
        }
      }),
      runs(0.25),
    );
  });
});
