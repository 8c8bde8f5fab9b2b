export const LATENCY_MODES = ['webhooks', 'feed-only'] as const;
export type LatencyMode = (typeof LATENCY_MODES)[number];

/** What every scenario gets and gives back: printed tables, one summary line, and flat figures for --compare. */

export interface ScenarioContext {
  root: string;
  quick: boolean;
  /** parked: stop adding engagements once this many minutes have passed, and measure the N reached. */
  parkedBudgetMinutes?: number;
  /** throughput: lifecycles at once (default 200; --quick 5). */
  throughputEngagements?: number;
  /** latency: run only these modes (default both). */
  latencyModes?: LatencyMode[];
  /** latency: lifecycles per mode (default 34; --quick 2). */
  latencyLifecycles?: number;
  /** Progress for the person watching (stderr); the tables go to stdout. */
  progress(line: string): void;
}

export interface ScenarioResult {
  tables: string[];
  summary: string;
  /** `latency.webhooks.state.p50Ms` → 183: what --compare lines up between two runs. */
  metrics: Record<string, number>;
}

export interface Scenario {
  name: string;
  run(context: ScenarioContext): Promise<ScenarioResult>;
}
