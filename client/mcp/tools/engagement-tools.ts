import { z } from 'zod';
import { engagementStateSchema } from '../../../domain/engagement-view';
import { engagementInputSchema } from '../../../domain/inputs';
import { decisionPointsOf } from '../../engagement-changes';
import { engagementIdSchema, engagementSummarySchema, listFilterSchema } from '../../engagement-client';
import {
  defineTool,
  idempotencyKeyField,
  mutating,
  readOnly,
  stateSummary,
  toolInput,
  withHumanActions,
} from '../tool';

const engagementId = engagementIdSchema.describe('The engagement, engagement-<proposalId>');

export const startEngagement = defineTool({
  name: 'start_engagement',
  title: 'Start an engagement',
  description:
    'Start hiring the trainer of an OpenTrain proposal: checks the preconditions, then asks the human to co-sign ' +
    'the hire (the first milestone is funded with it). Idempotent per proposal: an existing engagement is returned.',
  input: toolInput({ ...engagementInputSchema.shape, idempotencyKey: idempotencyKeyField }),
  output: z.object({ engagementId: z.string() }),
  annotations: mutating(true),
  async run({ idempotencyKey, ...input }, ctx) {
    const started = await ctx.engagements.start(input, { idempotencyKey });
    return {
      text:
        `Started ${started.engagementId}. Once the preconditions pass, the hire waits for the human's co-sign: ` +
        'call wait_for_engagement to see the approval link as soon as it is requested.',
      structured: started,
    };
  },
});

export const getEngagement = defineTool({
  name: 'get_engagement',
  title: 'Where an engagement stands',
  description:
    'The engagement: phase, milestones, approvals waiting for the human (with links and expiry), blockers, ' +
    'parked items, money totals and recent history.',
  input: toolInput({ engagementId }),
  output: engagementStateSchema,
  annotations: readOnly,
  async run(args, ctx) {
    const state = await ctx.engagements.getState(args.engagementId);
    return { text: withHumanActions(state, ctx, stateSummary(state)), structured: state };
  },
});

export const listEngagements = defineTool({
  name: 'list_engagements',
  title: 'List engagements',
  description:
    'Engagements by phase, or those with an approval expiring within some hours (to remind the human in time).',
  input: toolInput(listFilterSchema.shape),
  output: z.object({ engagements: z.array(engagementSummarySchema) }),
  annotations: readOnly,
  async run(filter, ctx) {
    const engagements = await ctx.engagements.list(filter);
    const lines = engagements.map(
      (e) =>
        `${e.engagementId}: ${e.phase ?? e.status}` +
        (e.nextApprovalExpiry ? `, an approval expires ${e.nextApprovalExpiry}` : ''),
    );
    return {
      text: lines.length ? lines.join('\n') : 'No engagement matches.',
      structured: { engagements },
    };
  },
});

/** Long enough to wait out a human, short enough for an MCP request not to be cut off by a client's timeout. */
const WAIT_MAX_SECONDS = 120;
/** How often the state is read while waiting: a confirmation shows within this (plus OpenTrain's event). */
const WAIT_POLL_MS = 200;

export const waitForEngagement = defineTool({
  name: 'wait_for_engagement',
  title: 'Wait for the engagement to move',
  description:
    'Returns as soon as something you act on changes — the phase, an approval requested or resolved, a ' +
    `milestone's status, a blocker — or after timeoutSeconds (at most ${WAIT_MAX_SECONDS}), with the current state.`,
  input: toolInput({
    engagementId,
    timeoutSeconds: z
      .number({ error: 'must be a number of seconds' })
      .positive({ error: 'must be greater than 0' })
      .max(WAIT_MAX_SECONDS, { error: `must be at most ${WAIT_MAX_SECONDS}` })
      .default(60),
  }),
  output: z.object({ changed: z.boolean(), state: engagementStateSchema }),
  annotations: readOnly,
  async run(args, ctx) {
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), args.timeoutSeconds * 1000);
    let first = true;
    let changed: z.infer<typeof engagementStateSchema> | undefined;
    try {
      const watching = ctx.engagements.watch(args.engagementId, {
        signal: stop.signal,
        pollIntervalMs: WAIT_POLL_MS,
        changeOf: decisionPointsOf,
      });
      for await (const state of watching) {
        if (!first) {
          changed = state;
          break;
        }
        first = false;
      }
    } finally {
      clearTimeout(timer);
    }
    const state = changed ?? (await ctx.engagements.getState(args.engagementId));
    const summary = `${changed ? 'Changed' : `No change within ${args.timeoutSeconds} s`}. ${stateSummary(state)}`;
    return { text: withHumanActions(state, ctx, summary), structured: { changed: Boolean(changed), state } };
  },
});
