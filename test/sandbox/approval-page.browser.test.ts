import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { milestoneTerms, useTestSandbox } from './support';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `Skipping the approval-page browser test: no chromium at ${CHROMIUM} (apt-get install -y chromium).`,
  );
}
const describeWithBrowser = hasChromium ? describe : describe.skip;

describeWithBrowser('the human on the approval page (chromium)', () => {
  const env = useTestSandbox();
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('edits the hire amount, confirms, and the API shows the approval confirmed with the edited milestone', async () => {
    const api = await env.account();
    const { proposalId } = await env.proposal(api);
    const requested = await api.post(`/proposals/${proposalId}/hire`, { milestone: milestoneTerms });
    const { approvalUrl, id } = requested.body.approval;

    const page = await browser.newPage();
    await page.goto(approvalUrl);
    await expect(page.locator('h1').textContent()).resolves.toBe('Hire an AI trainer');
    const text = await page.locator('body').innerText();
    expect(text).toContain('$339.95'); // $300 + 10% + $9.95
    expect(text).toMatch(/2 d 23 h 59 min left|3 d 0 h 0 min left/);
    expect(text).toContain('Maria G.');

    await page.fill('input[name="amount"]', '450');
    await page.fill('input[name="name"]', 'Batch edited by the human');
    await Promise.all([page.waitForURL(/notice=/), page.click('#confirm')]);
    await expect(page.locator('#status').textContent()).resolves.toBe('confirmed');
    await expect(page.locator('#notice').textContent()).resolves.toMatch(/^Confirmed/);

    const { approval } = (await api.get(`/approvals/${id}`)).body;
    expect(approval.status).toBe('confirmed');
    const { contract } = (await api.get(`/contracts/${approval.result.contractId}`)).body;
    expect(contract.milestones[0]).toMatchObject({
      amountUsd: 450,
      name: 'Batch edited by the human',
      status: 'ACTIVE_FUNDED',
    });
    await page.close();
  });

  it('declines from the page, and nothing is executed', async () => {
    const api = await env.account();
    const { proposalId, jobId } = await env.proposal(api);
    const requested = await api.post(`/proposals/${proposalId}/hire`, { milestone: milestoneTerms });
    const page = await browser.newPage();
    await page.goto(requested.body.approval.approvalUrl);
    await Promise.all([page.waitForURL(/notice=/), page.click('#decline')]);
    await expect(page.locator('#status').textContent()).resolves.toBe('declined');
    expect(await page.locator('#confirm').count()).toBe(0);
    expect((await api.get(`/approvals/${requested.body.approval.id}`)).body.approval.status).toBe('declined');
    expect((await api.get(`/contracts?jobId=${jobId}`)).body.contracts).toEqual([]);
    await page.close();
  });
});
