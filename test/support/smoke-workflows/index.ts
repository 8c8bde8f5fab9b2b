import { condition, defineQuery, defineSignal, defineUpdate, setHandler, sleep } from '@temporalio/workflow';
import { z } from 'zod';

/** Tiny workflows that prove the Temporal servers, bundling and zod-in-the-sandbox work on this machine. */

export async function sleepsThreeDays(): Promise<string> {
  await sleep('72 hours');
  return 'woke';
}

export const bumpSignal = defineSignal<[{ by: number }]>('bump');
export const setLabelUpdate = defineUpdate<string, [{ label: string }]>('setLabel');
export const countQuery = defineQuery<{ count: number; label: string }>('count');
export const finishSignal = defineSignal('finish');

const labelSchema = z.object({ label: z.string().min(1).max(20) });

export async function counter(): Promise<{ count: number; label: string }> {
  let count = 0;
  let label = 'none';
  let finished = false;
  setHandler(bumpSignal, ({ by }) => void (count += by));
  setHandler(
    setLabelUpdate,
    ({ label: next }) => {
      const previous = label;
      label = next;
      return previous;
    },
    { validator: (input) => void labelSchema.parse(input) },
  );
  setHandler(countQuery, () => ({ count, label }));
  setHandler(finishSignal, () => void (finished = true));
  await condition(() => finished);
  return { count, label };
}
