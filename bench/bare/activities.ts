import type { OpenTrainClient } from '../../opentrain';

/** The bare baseline's only activity: one OpenTrain read, as a real step of ours makes at the least. */
export function createBareActivities(openTrain: Pick<OpenTrainClient, 'getCredits'>) {
  return {
    async touchOpenTrain(): Promise<number> {
      return (await openTrain.getCredits()).availableCents;
    },
  };
}

export type BareActivities = ReturnType<typeof createBareActivities>;
