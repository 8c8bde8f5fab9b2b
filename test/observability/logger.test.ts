import { createLogger, TemporalPinoLogger } from '../../observability/logger';

function captured() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

describe('the pino logger', () => {
  it('redacts secrets passed as data by key, at any of the usual depths, and headers', () => {
    const { lines, destination } = captured();
    const logger = createLogger({ service: 'test', destination });
    logger.info(
      {
        token: 'ot_pat_topsecret',
        config: { OPENTRAIN_API_TOKEN: 'ot_pat_envsecret', PAYLOAD_ENCRYPTION_KEYS: 'k1:c2VjcmV0a2V5' },
        webhook: { secret: 'whsec_hidden' },
        req: { headers: { authorization: 'Bearer api-token-hidden', cookie: 'session=1' } },
        nested: { deeper: { apiToken: 'api-token-deep' } },
      },
      'hello',
    );
    const text = lines.join('');
    for (const secret of [
      'topsecret',
      'envsecret',
      'c2VjcmV0a2V5',
      'whsec_hidden',
      'api-token-hidden',
      'api-token-deep',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(JSON.parse(text)).toMatchObject({
      level: 'info',
      service: 'test',
      msg: 'hello',
      token: '[REDACTED]',
    });
  });

  it("gives the Temporal SDK's lines our field names and the engagement id", () => {
    const { lines, destination } = captured();
    new TemporalPinoLogger(createLogger({ service: 'worker', destination })).info('activity log', {
      workflowId: 'engagement-p_1',
      workflowRunId: 'run-1',
      activityType: 'notifyHuman',
      attempt: 2,
      taskToken: 'opaque',
    });
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      engagementId: 'engagement-p_1',
      workflowId: 'engagement-p_1',
      runId: 'run-1',
      activityType: 'notifyHuman',
      attempt: 2,
    });
    expect(line).not.toHaveProperty('taskToken');
  });
});
