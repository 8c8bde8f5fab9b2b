import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { freePort } from '../support/ports';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { describeStack, readStackInfo, startLocalStack, STACK_FILE } from '../../scripts/start-local';
import type { LocalStack, LocalStackOptions } from '../../scripts/start-local';
import { SandboxControl } from '../../sandbox/control-client';
import type { EngagementState } from '../../domain/engagement-view';
import { waitForState } from './support/wait';

/**
 * `npm start` as a test: the real startLocalStack in a temporary data folder on free ports, twice over the same
 * folder, as a developer would run it on Monday and again on Tuesday.
 */

jest.setTimeout(120_000);

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Installed already by another suite in this worker process.
}

async function status(url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await request(url, { headers });
  await res.body.dump();
  return res.statusCode;
}

async function refused(url: string): Promise<boolean> {
  return status(url).then(
    () => false,
    (err: { code?: string }) => err.code === 'ECONNREFUSED',
  );
}

let dataDir: string;
let options: LocalStackOptions;
let stack: LocalStack | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'engagements-start-'));
  options = {
    dataDir,
    temporalPort: await freePort(),
    uiPort: await freePort(),
    apiPort: await freePort(),
    sandboxPort: await freePort(),
    // Like a fresh clone: no OpenTrain token (so the sandbox), no Temporal address, no API token.
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    log: () => undefined,
  };
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('starts everything, prints URLs that answer, stops cleanly, and a second start finds the first engagement', async () => {
  stack = await startLocalStack(options);
  const first = stack.info;
  const control = new SandboxControl(first.sandboxUrl ?? '');
  const { proposalId } = await control.createProposal({ token: first.sandboxToken ?? '' });
  const printed = describeStack(first, proposalId, dataDir);

  // Every URL it prints answers (placeholders aside); the API only with the token kept in the 0600 stack file.
  const urls = [...new Set(printed.match(/http:\/\/[^\s),]+/g))].filter((url) => !url.includes('<'));
  expect(urls).toEqual(
    expect.arrayContaining([first.apiUrl, `${first.apiUrl}/healthz`, first.sandboxUrl, first.temporalUiUrl]),
  );
  const auth = { authorization: `Bearer ${first.apiToken}` };
  for (const url of urls) await expect(status(url, auth)).resolves.toBeLessThan(500);
  expect(await status(`${first.apiUrl}/healthz`)).toBe(200);
  expect(await status(`${first.apiUrl}/openapi.json`, auth)).toBe(200);
  expect(await status(first.temporalUiUrl ?? '')).toBe(200);
  expect(printed).not.toContain(first.apiToken);
  expect(statSync(join(dataDir, STACK_FILE)).mode & 0o777).toBe(0o600);

  const started = await request(`${first.apiUrl}/engagements`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ proposalId, firstMilestone: { name: 'Pilot', amountUsd: 50 } }),
  });
  const { engagementId } = (await started.body.json()) as { engagementId: string };
  const stateVia = (apiUrl: string) => async () => {
    const res = await request(`${apiUrl}/engagements/${engagementId}`, { headers: auth });
    return (await res.body.json()) as EngagementState;
  };
  const hire = await waitForState(stateVia(first.apiUrl), 'the hire approval', (s) =>
    s.pendingApprovals.find((a) => a.type === 'proposal_hire'),
  );

  await stack.stop();
  stack = undefined;
  for (const url of [first.apiUrl, first.sandboxUrl ?? '', first.temporalUiUrl ?? ''])
    expect([url, await refused(url)]).toEqual([url, true]);

  // Tuesday: same folder, same ports. Same token, same sandbox account, same engagement — and it still works.
  stack = await startLocalStack(options);
  expect(stack.info.apiToken).toBe(first.apiToken);
  expect(stack.info.sandboxToken).toBe(first.sandboxToken);
  expect(readStackInfo(dataDir).apiUrl).toBe(stack.info.apiUrl);
  const again = await stateVia(stack.info.apiUrl)();
  expect(again.engagementId).toBe(engagementId);
  expect(again.pendingApprovals.map((a) => a.approvalId)).toEqual([hire.approvalId]);
  await new SandboxControl(stack.info.sandboxUrl ?? '').confirmApproval(hire.approvalId);
  await waitForState(stateVia(stack.info.apiUrl), 'the contract', (s) =>
    s.phase === 'active' ? s : undefined,
  );
});
