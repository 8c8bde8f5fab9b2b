import { call } from '../../client/http-call';
import type { LifecycleDriver } from './lifecycle';

/** The lifecycle through the HTTP API at `apiUrl`, as any HTTP client would drive it. */
export function httpDriver(apiUrl: string, apiToken: string): LifecycleDriver {
  const api = async (method: string, url: string, payload?: unknown, expected = [200, 201, 202]) => {
    const res = await call(apiUrl, {
      method,
      url,
      payload,
      headers: { authorization: `Bearer ${apiToken}` },
    });
    if (!expected.includes(res.statusCode))
      throw new Error(`${method} ${url} → ${res.statusCode} ${res.text}`);
    return res.json();
  };
  return {
    start: async (proposalId) =>
      (await api('POST', '/engagements', { proposalId, firstMilestone: { name: 'Pilot', amountUsd: 120 } }))
        .engagementId,
    state: (id) => api('GET', `/engagements/${id}`),
    addFundedMilestone: async (id, description, amountUsd) =>
      (await api('POST', `/engagements/${id}/milestones`, { description, amountUsd, fund: true })).id,
    release: async (id, milestoneId) =>
      void (await api('POST', `/engagements/${id}/milestones/${milestoneId}/release`)),
    end: async (id) => void (await api('POST', `/engagements/${id}/end`, undefined, [202])),
  };
}
