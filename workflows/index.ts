/** The workflows the worker registers (bundled from this file). */
export { engagementWorkflow, type EngagementWorkflowInput } from './engagement';
export * from './updates-feed';
