import type { EngagementActivities } from '../../../activities/engagement';
import { FakeOpenTrain } from './fake-opentrain';

/** The fake with some of its activities replaced, to answer as OpenTrain does under faults. */
export class FaultyOpenTrain extends FakeOpenTrain {
  overrides: Partial<EngagementActivities> = {};
  /** Looked up at call time: the worker receives the activities before a test sets its faults. */
  override activities(): EngagementActivities {
    const real = this.unfaulted();
    const pick = <K extends keyof EngagementActivities>(name: K) =>
      ((input: never) => (this.overrides[name] ?? real[name])(input)) as EngagementActivities[K];
    return Object.fromEntries(
      (Object.keys(real) as (keyof EngagementActivities)[]).map((name) => [name, pick(name)]),
    ) as unknown as EngagementActivities;
  }

  /** The fake's own activities, for an override that fails only sometimes. */
  unfaulted(): EngagementActivities {
    return super.activities();
  }
}
