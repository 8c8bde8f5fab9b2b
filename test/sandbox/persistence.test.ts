import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hire, startTestSandbox, TestApi, unfundedMilestone } from './support';

const HOUR = 60 * 60 * 1000;

describe('persistence with stateFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps accounts, contracts, approvals, events, ledger and the clock across a restart', async () => {
    const stateFile = join(dir, 'state.json');
    const first = await startTestSandbox({ stateFile });
    const api = await first.account({ cardOnFile: false, creditsCents: 40_000 });
    const { contractId } = await hire(first, api);
    const milestoneId = await unfundedMilestone(api, contractId, 10, 'b2');
    const fund = await api.post(`/milestones/${milestoneId}/fund`);
    await first.control.advanceClock(HOUR);
    const before = {
      contract: (await api.get(`/contracts/${contractId}`)).body,
      credits: (await api.get('/credits')).body,
      updates: (await api.get('/updates')).body,
    };
    await first.close();

    const second = await startTestSandbox({ stateFile });
    try {
      const again = new TestApi(second.sandbox.apiBaseUrl, api.token);
      expect((await again.get(`/contracts/${contractId}`)).body).toEqual(before.contract);
      expect((await again.get('/credits')).body).toEqual(before.credits);
      expect((await again.get('/updates')).body).toEqual(before.updates);
      // The pending approval survived, with a link on the new origin, and the clock kept its offset.
      const { approval } = (await again.get(`/approvals/${fund.body.approval.id}`)).body;
      expect(approval).toMatchObject({
        status: 'pending',
        approvalUrl: `${second.sandbox.url}/approvals/${approval.id}`,
      });
      await second.control.advanceClock(71 * HOUR);
      expect((await again.get(`/approvals/${approval.id}`)).body.approval.status).toBe('expired');
      // Event ids keep increasing after a restart.
      const next = await second.proposal(api);
      const events = (await again.get(`/updates?cursor=${before.updates.nextCursor}`)).body.events;
      expect(events.map((e: { type: string }) => e.type)).toEqual([
        'approval.confirmed',
        'proposal.received',
      ]);
      expect(events[1].data.proposalId).toBe(next.proposalId);
    } finally {
      await second.close();
    }
  });

  it('refuses to start from a file that is not sandbox state', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"hello":"world"}');
    await expect(startTestSandbox({ stateFile: bad })).rejects.toThrow(/not a sandbox state/);
  });
});
