import { inspect } from 'node:util';
import { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS, OpenTrainClient, OpenTrainConfigError } from '../../opentrain';

describe('OpenTrainClient configuration', () => {
  const clients: OpenTrainClient[] = [];
  const track = (client: OpenTrainClient) => (clients.push(client), client);
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  it('defaults to the public OpenTrain API with a 30 s timeout', () => {
    const client = track(OpenTrainClient.fromEnv({ OPENTRAIN_API_TOKEN: 'ot_pat_a_b' }));
    expect(client.baseUrl).toBe(DEFAULT_BASE_URL);
    expect(DEFAULT_BASE_URL).toBe('https://app.opentrain.ai/api/public/v1');
    expect(client.timeoutMs).toBe(DEFAULT_TIMEOUT_MS);
    expect(DEFAULT_TIMEOUT_MS).toBe(30_000);
  });

  it('reads the base URL (trailing slash dropped) and the timeout from the environment', () => {
    const client = track(
      OpenTrainClient.fromEnv({
        OPENTRAIN_API_TOKEN: 'ot_pat_a_b',
        OPENTRAIN_API_BASE_URL: 'http://127.0.0.1:4010/api/public/v1/',
        OPENTRAIN_API_TIMEOUT_MS: '5000',
      }),
    );
    expect(client.baseUrl).toBe('http://127.0.0.1:4010/api/public/v1');
    expect(client.timeoutMs).toBe(5_000);
  });

  it("accepts the official CLI's OT_API_TOKEN when OPENTRAIN_API_TOKEN is not set", () => {
    const client = track(OpenTrainClient.fromEnv({ OT_API_TOKEN: 'ot_pat_cli_token' }));
    expect(client.baseUrl).toBe(DEFAULT_BASE_URL);
  });

  it('throws a clear configuration error naming both variables when no token is set', () => {
    expect(() => OpenTrainClient.fromEnv({ OPENTRAIN_API_TOKEN: '  ' })).toThrow(OpenTrainConfigError);
    expect(() => OpenTrainClient.fromEnv({})).toThrow(/OPENTRAIN_API_TOKEN or OT_API_TOKEN/);
  });

  it('rejects a base URL that is not http(s) and a non-positive timeout without quoting the token', () => {
    const attempt = (options: { baseUrl?: string; timeoutMs?: number }) => () =>
      new OpenTrainClient({ token: 'ot_pat_secret_value', ...options });
    expect(attempt({ baseUrl: 'ftp://example.com' })).toThrow(/baseUrl/);
    expect(attempt({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() =>
      OpenTrainClient.fromEnv({ OT_API_TOKEN: 'ot_pat_x', OPENTRAIN_API_TIMEOUT_MS: 'soon' }),
    ).toThrow(/OPENTRAIN_API_TIMEOUT_MS/);
    try {
      attempt({ baseUrl: 'nope' })();
    } catch (error) {
      expect(String(error)).not.toContain('secret_value');
    }
  });

  it('prints as its base URL with the token redacted', () => {
    const client = track(new OpenTrainClient({ token: 'ot_pat_pub_verysecret' }));
    for (const text of [
      String(client),
      JSON.stringify(client),
      inspect(client, { showHidden: true }),
      `${client}`,
    ]) {
      expect(text).not.toContain('verysecret');
      expect(text).toContain('[REDACTED]');
    }
  });
});
