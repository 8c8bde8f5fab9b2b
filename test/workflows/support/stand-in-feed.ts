import { condition } from '@temporalio/workflow';

/**
 * Stands in for the updates feed under its workflow id: it runs (so an engagement's hint is accepted and kept in
 * its history) and does nothing else, so a test sees what the engagement does on its own while a feed holds it.
 */
export async function updatesFeedWorkflow(): Promise<void> {
  await condition(() => false);
}
