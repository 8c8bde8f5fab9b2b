/**
 * How long a workflow task, or a query, waits on the sticky queue of the worker that has the workflow cached
 * before Temporal hands it to any worker. The SDK's 10 s made every crashed worker a 10 s stall for each engagement
 * it held; a live worker takes its tasks in milliseconds, so 3 s only costs a replay elsewhere when a worker is badly
 * overloaded. The workers set it (worker/create-worker.ts); state reads stay below it (client/sticky-safe-query.ts).
 */
export const STICKY_QUEUE_SCHEDULE_TO_START_MS = 3_000;
