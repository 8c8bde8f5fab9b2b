import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  type Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../codec/aes-gcm-codec';
import {
  dataConverterFromConfig,
  FAILURE_CONVERTER_PATH,
  payloadCodecFromConfig,
} from '../../codec/data-converter';
import { EngagementClient } from '../../client/engagement-client';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../worker/workflow-bundling';
import { loadConfig } from '../../config';
import { OpenTrainClient } from '../../opentrain';
import { SandboxControl } from '../../sandbox/control-client';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import { createEngagementWorker } from '../../worker/create-worker';
import { createDevServerEnv } from '../support/temporal';
import { waitForState } from './support/wait';

/**
 * Encrypted payloads on a real dev server: what Temporal stores is ciphertext, our codec reads it, and a key rotation
 * (k1 → k2 current, k1 still configured) keeps an engagement started under k1 readable and moving, while new
 * payloads go out under k2. A client without the old key is told which key is missing.
 */
jest.setTimeout(180_000);

const key = () => randomBytes(32).toString('base64');
const K1 = key();
const K2 = key();
const MILESTONE_NAME = 'Pilot batch of sensitive-images';
const MILESTONE_DESCRIPTION = 'Label the confidential-dataset-xyz';

let env: TestWorkflowEnvironment;
let sandbox: RunningSandbox;
let control: SandboxControl;
let openTrain: OpenTrainClient;
let token: string;
let bundle: WorkflowBundleWithSourceMap;
const workers: { worker: Worker; done: Promise<void> }[] = [];

beforeAll(async () => {
  env = await createDevServerEnv();
  sandbox = await startSandbox({ port: 0 });
  control = new SandboxControl(sandbox.url);
  ({ token } = await control.createAccount());
  openTrain = new OpenTrainClient({ baseUrl: sandbox.apiBaseUrl, token });
  // What the production bundle is built with (scripts/build-workflow-bundle.ts): failures encoded too.
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    ...WORKFLOW_BUNDLE_OPTIONS,
    logger: new DefaultLogger('WARN'),
  });
});
afterAll(async () => {
  for (const running of workers.splice(0)) {
    if (running.worker.getState() === 'RUNNING') running.worker.shutdown();
    await running.done.catch(() => undefined);
  }
  await openTrain?.close();
  await sandbox?.close();
  await env?.teardown();
});

function configured(keys: string, currentKeyId?: string) {
  return loadConfig({ PAYLOAD_ENCRYPTION_KEYS: keys, PAYLOAD_ENCRYPTION_KEY_ID: currentKeyId });
}

async function runWorker(
  keys: string,
  currentKeyId?: string,
): Promise<{ worker: Worker; done: Promise<void> }> {
  const worker = await createEngagementWorker({
    connection: env.nativeConnection,
    openTrain,
    workflowBundle: bundle,
    dataConverter: dataConverterFromConfig(configured(keys, currentKeyId)),
  });
  const running = { worker, done: worker.run() };
  workers.push(running);
  return running;
}

function clientWith(keys?: string, currentKeyId?: string): Client {
  return new Client({
    connection: env.connection,
    ...(keys ? { dataConverter: dataConverterFromConfig(configured(keys, currentKeyId)) } : {}),
  });
}

/**
 * Every payload in a history, except search attributes (indexed by the server, so plaintext by design) and the
 * SDK's own patch markers (`patched()` ids, written by core without the codec: code names, no data).
 */
function payloadsOf(
  node: unknown,
  out: temporal.api.common.v1.IPayload[] = [],
  key = '',
): temporal.api.common.v1.IPayload[] {
  if (!node || typeof node !== 'object' || key === 'searchAttributes' || key === 'indexedFields') return out;
  if (node instanceof Uint8Array) return out;
  if ((node as { markerName?: unknown }).markerName === 'core_patch') return out;
  const candidate = node as temporal.api.common.v1.IPayload;
  if (candidate.metadata && candidate.data instanceof Uint8Array) {
    out.push(candidate);
    return out;
  }
  for (const [k, value] of Object.entries(node)) payloadsOf(value, out, k);
  return out;
}

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('latin1');

it('stores ciphertext only, decodes with the codec, and survives a key rotation', async () => {
  const first = await runWorker(`k1:${K1}`);
  const { proposalId } = await control.createProposal({ token });
  const k1Client = clientWith(`k1:${K1}`);
  const { engagementId } = await new EngagementClient(k1Client).start({
    proposalId,
    firstMilestone: { name: MILESTONE_NAME, description: MILESTONE_DESCRIPTION, amountUsd: 120 },
    // No updates feed here: the engagement's own approval poll (at its lowest bound) notices the decision.
    policy: { pollIntervalMinMs: 5_000, pollIntervalMaxMs: 5_000 },
  });
  const hire = await waitForState(
    () => new EngagementClient(k1Client).getState(engagementId),
    'the hire approval',
    (s) => s.pendingApprovals.find((a) => a.type === 'proposal_hire'),
  );

  // The raw history, read without the codec: every payload is encrypted under k1, nothing readable in it.
  const raw = await clientWith().workflow.getHandle(engagementId).fetchHistory();
  const before = payloadsOf(raw.events);
  expect(before.length).toBeGreaterThan(3);
  for (const payload of before) {
    expect(text(payload.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(payload.metadata?.[KEY_ID_METADATA])).toBe('k1');
    for (const secret of [proposalId, MILESTONE_NAME, MILESTONE_DESCRIPTION, hire.approvalId]) {
      expect(text(payload.data)).not.toContain(secret);
    }
  }
  // Without the codec the workflow's input is not readable; with it, it is.
  const started: Payload | undefined = raw.events?.[0]?.workflowExecutionStartedEventAttributes?.input
    ?.payloads?.[0] as Payload | undefined;
  expect(text(started?.data)).not.toContain('proposalId');
  expect((await new EngagementClient(k1Client).getState(engagementId)).proposalId).toBe(proposalId);

  // Rotate: worker and clients restart with k2 current and k1 still configured.
  first.worker.shutdown();
  await first.done;
  const rotatedKeys = `k1:${K1},k2:${K2}`;
  const second = await runWorker(rotatedKeys, 'k2');
  try {
    const rotated = new EngagementClient(clientWith(rotatedKeys, 'k2'));
    await control.confirmApproval(hire.approvalId);
    const active = await waitForState(
      () => rotated.getState(engagementId),
      'the contract after the rotation',
      (s) => (s.phase === 'active' ? s : undefined),
    );
    expect(active.milestones[0]?.name).toBe(MILESTONE_NAME);
    const after = payloadsOf((await clientWith().workflow.getHandle(engagementId).fetchHistory()).events);
    const keyIds = new Set(after.map((p) => text(p.metadata?.[KEY_ID_METADATA])));
    expect(keyIds).toEqual(new Set(['k1', 'k2']));
    expect(after.slice(0, before.length).every((p) => text(p.metadata?.[KEY_ID_METADATA]) === 'k1')).toBe(
      true,
    );
    expect(text(after.at(-1)?.metadata?.[KEY_ID_METADATA])).toBe('k2');

    // The audit reads the history through the client's codec: payloads under both keys, in plain words.
    const audit = await rotated.audit(engagementId);
    const hireRequest = audit.entries.find((e) => e.operation === 'hire');
    expect(hireRequest).toBeDefined();
    expect(audit.entries.some((e) => e.approvalId === hire.approvalId)).toBe(true);

    // A process that lost k1 cannot read the old payloads, and says which key is missing.
    const onlyK2 = payloadCodecFromConfig(configured(`k2:${K2}`))!;
    await expect(onlyK2.decode([started!])).rejects.toThrow(
      /encrypted with key "k1", which is not configured: add it to PAYLOAD_ENCRYPTION_KEYS/,
    );
  } finally {
    second.worker.shutdown();
    await second.done;
  }
});
