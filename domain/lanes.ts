/**
 * Items split into lanes by key: each lane keeps the items' order, lanes come in the order their key first
 * appears. How the feed's deliveries run: one engagement's events in order, engagements side by side.
 */
export function inLanes<T>(items: readonly T[], laneOf: (item: T) => string): T[][] {
  const lanes = new Map<string, T[]>();
  for (const item of items) {
    const key = laneOf(item);
    const lane = lanes.get(key);
    if (lane) lane.push(item);
    else lanes.set(key, [item]);
  }
  return [...lanes.values()];
}
