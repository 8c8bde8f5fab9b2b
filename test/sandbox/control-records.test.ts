import { fetch } from 'undici';
import { fundedMilestone, hire, unfundedMilestone, useTestSandbox } from './support';

/**
 * The control API's records of what OpenTrain really did (GET /__sandbox/contracts and /__sandbox/ledger): what
 * the fault suite counts executed money moves and stray milestones from, so it must show everything, hidden
 * milestones and every account's ledger included.
 */

const env = useTestSandbox();

describe('control records', () => {
  it('lists every contract with all its milestones, including the refunded ones the timeline hides', async () => {
    const api = await env.account({ cardOnFile: false, creditsCents: 100_000 });
    const { contractId, firstMilestoneId, proposalId } = await hire(env, api);
    const { milestoneId: funded } = await fundedMilestone(env, api, contractId, 200);
    const unfunded = await unfundedMilestone(api, contractId, 50, 'Never funded');
    // Ending with a funded milestone needs the human; its escrow then goes back and it leaves the timeline.
    const end = await api.post(`/contracts/${contractId}/end`);
    expect(end.status).toBe(202);
    await env.control.confirmApproval(end.body.approval.id);
    const timeline = (await api.get(`/contracts/${contractId}`)).body.contract.milestones;
    expect(timeline.map((m: { id: string }) => m.id)).not.toContain(funded);

    const record = (await env.control.contracts()).find((c) => c.id === contractId);
    expect(record).toMatchObject({ proposalId, status: 'ended', endDate: expect.any(String) });
    expect(record?.milestones.map((m) => [m.id, m.status, m.amountUsd])).toEqual([
      [firstMilestoneId, 'REFUNDED', 300],
      [funded, 'REFUNDED', 200],
      [unfunded, 'NOT_FUNDED', 50],
    ]);
  });

  it('returns the whole ledger oldest first, or one contract’s entries, beyond the public API’s 10 newest', async () => {
    const api = await env.account({ cardOnFile: false, creditsCents: 1_000_000 });
    const { contractId, firstMilestoneId } = await hire(env, api);
    const funded: string[] = [];
    for (let i = 0; i < 10; i += 1)
      funded.push((await fundedMilestone(env, api, contractId, 10)).milestoneId);
    const release = await api.post(`/milestones/${firstMilestoneId}/approve`);
    await env.control.confirmApproval(release.body.approval.id);
    const other = await hire(env, await env.account({ cardOnFile: false, creditsCents: 50_000 }));

    const entries = await env.control.ledger({ contractId });
    expect(entries.map((e) => [e.type, e.milestoneId, e.amountCents])).toEqual([
      ['HOLD', firstMilestoneId, -33_995],
      ...funded.map((id) => ['HOLD', id, -1_100]),
      ['CAPTURE', firstMilestoneId, -33_995],
    ]);
    expect(entries.every((e) => e.contractId === contractId)).toBe(true);
    const all = await env.control.ledger();
    expect(all.map((e) => e.id)).toEqual(expect.arrayContaining(entries.map((e) => e.id)));
    expect(all.some((e) => e.contractId === other.contractId)).toBe(true);
    // The public view stops at the 10 newest; the control view is complete.
    expect(entries).toHaveLength(12);
    expect((await api.get('/credits')).body.credits.recentEntries).toHaveLength(10);
  });

  it('answers 400 for an empty contractId filter', async () => {
    const response = await fetch(`${env.sandbox.url}/__sandbox/ledger?contractId=`);
    expect(response.status).toBe(400);
  });
});
