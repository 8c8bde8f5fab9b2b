/** The OpenTrain Public API client: the only module the rest of the code imports from opentrain/. */
export { OpenTrainClient, type CreateMilestoneRequest, type HireRequest } from './client';
export {
  DEFAULT_BASE_URL,
  DEFAULT_TIMEOUT_MS,
  clientOptionsFromConfig,
  type OpenTrainClientOptions,
} from './config';
export { OpenTrainApiError, OpenTrainConfigError, OpenTrainResponseError } from './errors';
export { TOKEN_ENV_NAMES } from './gaps';
export { OPENTRAIN_EVENT_TYPES, isOpenTrainEventType, type OpenTrainEventType } from './event-types';
export type { OpenTrainResponseEvent, OpenTrainResponseObserver, RequestOptions } from './http';
export type {
  Approval,
  ApprovalEnvelope,
  Budget,
  Capabilities,
  Contract,
  ContractDetail,
  CreatedWebhook,
  Credits,
  EndContractResult,
  LedgerEntry,
  Me,
  Message,
  MessagesPage,
  Milestone,
  PendingPayment,
  PlatformEvent,
  UpdatesPage,
  Webhook,
} from './schemas';
/** A webhook delivery's body is one event record, as `/updates` returns them. */
export { platformEventSchema } from './schemas';
export {
  verifyWebhookSignature,
  type VerifyWebhookSignatureArgs,
  type WebhookSignatureResult,
} from './webhook-signature';
