import { cancellationSignal } from '@temporalio/activity';
import { OpenTrainApiError } from '../opentrain';
import type { OpenTrainClient, PlatformEvent } from '../opentrain';
import { callOpenTrain, toActivityFailure } from './errors';

/**
 * Side effects of the updates feed (`workflows/updates-feed.ts`): read one page of `/updates`, and the two reads
 * that route an event to its engagement. Events are slimmed to the ids routing needs, to keep history small.
 */

export interface FeedEvent {
  id: string;
  type: string;
  resourceId: string | null;
  approvalId?: string;
  status?: string;
  proposalId?: string;
  contractId?: string;
  milestoneId?: string;
  /** `message.received`: the thread, which names its engagement. */
  conversationId?: string;
  jobId?: string;
}

export interface FeedPage {
  events: FeedEvent[];
  /** Where the next poll starts; unchanged when nothing new arrived. */
  nextCursor: string | undefined;
  hasMore: boolean;
}

/** Where an approval belongs: the hire carries its proposal, later approvals only their contract. */
export interface ApprovalRoute {
  proposalId: string | null;
  contractId: string | null;
  status: string;
}

/** What one successful poll saw, for the worker's metrics (cursor lag, last poll). */
export interface FeedPollObservation {
  hasMore: boolean;
  /** createdAt of the page's newest event; undefined for an empty page. */
  newestEventAt?: string;
}

export interface UpdatesFeedDeps {
  openTrain: Pick<OpenTrainClient, 'getUpdates' | 'getApproval' | 'getContract' | 'listContracts'>;
  onFeedPoll?: (observation: FeedPollObservation) => void;
}

export function createUpdatesFeedActivities({ openTrain, onFeedPoll }: UpdatesFeedDeps) {
  return {
    async feedFetchUpdates(input: { cursor?: string; limit: number }): Promise<FeedPage> {
      const page = await callOpenTrain((options) =>
        openTrain.getUpdates({ cursor: input.cursor, limit: input.limit }, options),
      );
      onFeedPoll?.({ hasMore: page.hasMore, newestEventAt: page.events.at(-1)?.createdAt });
      return {
        events: page.events.map(slimEvent),
        nextCursor: page.nextCursor ?? input.cursor,
        hasMore: page.hasMore,
      };
    },

    /** Null when OpenTrain does not know the approval: then it is not one of ours to route. */
    async feedReadApprovalRoute(input: { approvalId: string }): Promise<ApprovalRoute | null> {
      const approval = await orNullWhenNotFound((options) =>
        openTrain.getApproval(input.approvalId, options),
      );
      return (
        approval && {
          proposalId: approval.proposalId,
          contractId: approval.contractId,
          status: approval.status,
        }
      );
    },

    async feedReadContractProposal(input: {
      contractId: string;
    }): Promise<{ proposalId: string | null } | null> {
      const contract = await orNullWhenNotFound((options) =>
        openTrain.getContract(input.contractId, options),
      );
      return contract && { proposalId: contract.proposalId };
    },

    /**
     * Whose thread a conversation is: the contract (on the event's job, when it names one) whose
     * `jobDmConversationId` it is. OpenTrain stays the source of truth; the feed caches the answer. Null for a
     * conversation that is no contract's thread (a pre-hire chat): no engagement acts on it.
     */
    async feedReadConversationProposal(input: {
      conversationId: string;
      jobId?: string;
    }): Promise<{ proposalId: string } | null> {
      const contracts = await callOpenTrain((options) =>
        openTrain.listContracts({ jobId: input.jobId }, options),
      );
      for (const { id } of contracts) {
        const contract = await orNullWhenNotFound((options) => openTrain.getContract(id, options));
        if (contract?.jobDmConversationId === input.conversationId)
          return { proposalId: contract.proposalId };
      }
      return null;
    },
  };
}

export type UpdatesFeedActivities = ReturnType<typeof createUpdatesFeedActivities>;

/** An event record as routing needs it (ids only); also how the webhook receiver reads a delivery. */
export function slimEvent(event: PlatformEvent): FeedEvent {
  const data = event.data;
  const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
  return {
    id: event.id,
    type: event.type,
    resourceId: event.resourceId,
    approvalId: text('approvalId'),
    status: text('status'),
    proposalId: text('proposalId'),
    contractId: text('contractId'),
    milestoneId: text('milestoneId'),
    conversationId: text('conversationId'),
    jobId: event.jobId ?? undefined,
  };
}

/** A 404 means "not on this account", so not an engagement of ours; other errors map as everywhere else. */
async function orNullWhenNotFound<T>(
  read: (options: { signal: AbortSignal }) => Promise<T>,
): Promise<T | null> {
  try {
    return await read({ signal: cancellationSignal() });
  } catch (err) {
    if (err instanceof OpenTrainApiError && err.status === 404) return null;
    throw toActivityFailure(err);
  }
}
