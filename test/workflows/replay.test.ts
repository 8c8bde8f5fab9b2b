import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleEngagementWorkflows } from '../support/temporal';
import { HISTORIES_DIR } from './support/dev-stack';

/**
 * Every committed history (recorded from the dev-server runs with RECORD_HISTORIES=1) must replay against the
 * current workflow code: a determinism break fails the build. Logic changes go behind `patched()`.
 */
const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  bundle = await bundleEngagementWorkflows();
}, 120_000);

describe('replay of recorded engagement histories', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)('replays %s deterministically', async (file) => {
    const { workflowId, history } = JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')) as {
      workflowId: string;
      history: unknown;
    };
    await expect(
      Worker.runReplayHistory({ workflowBundle: bundle }, historyFromJSON(history), workflowId),
    ).resolves.toBeUndefined();
  });
});
