import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const { EventType } = temporal.api.enums.v1;

/** What a history is made of, in the terms the throughput baseline reproduces. */
export interface HistoryCounts {
  events: number;
  workflowTasks: number;
  activities: number;
  localActivities: number;
  signals: number;
  updates: number;
  timers: number;
}

export function emptyCounts(): HistoryCounts {
  return {
    events: 0,
    workflowTasks: 0,
    activities: 0,
    localActivities: 0,
    signals: 0,
    updates: 0,
    timers: 0,
  };
}

export function addCounts(into: HistoryCounts, more: HistoryCounts): HistoryCounts {
  for (const key of Object.keys(into) as (keyof HistoryCounts)[]) into[key] += more[key];
  return into;
}

/** Counts one run's history (the latest run when `runId` is left out). */
export async function countHistory(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<HistoryCounts> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const counts = emptyCounts();
  for (const event of history.events ?? []) {
    counts.events += 1;
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        counts.workflowTasks += 1;
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        counts.activities += 1;
        break;
      case EventType.EVENT_TYPE_MARKER_RECORDED:
        counts.localActivities += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        counts.signals += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        counts.updates += 1;
        break;
      case EventType.EVENT_TYPE_TIMER_STARTED:
        counts.timers += 1;
        break;
      default:
        break;
    }
  }
  return counts;
}

/** Every run of every workflow of `type` on the server (continued-as-new runs included), counted together. */
export async function countAllOfType(
  client: Client,
  type: string,
): Promise<{ runs: number; counts: HistoryCounts }> {
  const total = emptyCounts();
  let runs = 0;
  for await (const execution of client.workflow.list({ query: `WorkflowType = '${type}'` })) {
    addCounts(total, await countHistory(client, execution.workflowId, execution.runId));
    runs += 1;
  }
  return { runs, counts: total };
}
