import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ConfigError, loadConfig, variableMeta, variables, type VariableName } from '../../config';
import { configTable, TABLE_END, TABLE_START } from '../../config/table';

const ROOT = join(__dirname, '..', '..');
const KEY_1 = Buffer.alloc(32, 1).toString('base64');
const KEY_2 = Buffer.alloc(32, 2).toString('base64');

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('the configuration module', () => {
  it('gives every variable its documented default when the environment is empty (blank counts as unset)', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: '', PORT: '  ' });
    expect(config).toMatchObject({
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_NAMESPACE: 'default',
      OPENTRAIN_API_BASE_URL: 'https://app.opentrain.ai/api/public/v1',
      OPENTRAIN_API_TIMEOUT_MS: 30_000,
      HOST: '127.0.0.1',
      PORT: 3000,
      SANDBOX_PORT: 4010,
      METRICS_HOST: '127.0.0.1',
      CODEC_CORS_ORIGINS: ['http://127.0.0.1:8233', 'http://localhost:8233'],
      WORKER_MAX_CACHED_WORKFLOWS: 300,
    });
    expect(config.METRICS_PORT).toBeUndefined();
    expect(config.PAYLOAD_ENCRYPTION_KEYS).toBeUndefined();
  });

  it('lists every bad variable and every missing one of the role in one typed error', () => {
    const error = configError(() =>
      loadConfig(
        {
          PORT: 'eighty',
          METRICS_PORT: '70000',
          OPENTRAIN_API_TIMEOUT_MS: '-5',
          NOTIFY_WEBHOOK_URL: 'not a url',
          LOG_LEVEL: 'loud',
          ENGAGEMENTS_API_TOKEN: 'short',
          WORKER_MAX_CACHED_WORKFLOWS: '0',
        },
        'api',
      ),
    );
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual(
      [
        'ENGAGEMENTS_API_TOKEN',
        'LOG_LEVEL',
        'METRICS_PORT',
        'NOTIFY_WEBHOOK_URL',
        'OPENTRAIN_API_TIMEOUT_MS',
        'PORT',
        'WORKER_MAX_CACHED_WORKFLOWS',
      ].sort(),
    );
    for (const name of ['PORT', 'METRICS_PORT', 'LOG_LEVEL', 'ENGAGEMENTS_API_TOKEN']) {
      expect(error.message).toContain(name);
    }
    expect(error.message).not.toContain('short');
  });

  it('requires what each process needs: the worker an OpenTrain token, the API its bearer token', () => {
    expect(configError(() => loadConfig({}, 'worker')).issues).toEqual([
      expect.objectContaining({
        variable: 'OPENTRAIN_API_TOKEN',
        message: expect.stringMatching(/OT_API_TOKEN/),
      }),
    ]);
    expect(configError(() => loadConfig({}, 'api')).issues.map((i) => i.variable)).toEqual([
      'ENGAGEMENTS_API_TOKEN',
    ]);
    expect(
      configError(() =>
        loadConfig(
          { ENGAGEMENTS_API_TOKEN: 'x'.repeat(16), PUBLIC_WEBHOOK_URL: 'https://example.com/wh' },
          'api',
        ),
      ).issues.map((i) => i.variable),
    ).toEqual(['OPENTRAIN_API_TOKEN']);
    expect(() => loadConfig({ OT_API_TOKEN: 'ot_pat_x' }, 'worker')).not.toThrow();
    expect(() => loadConfig({}, 'cli')).not.toThrow();
  });

  it('parses encryption keys by id and refuses bad ones without quoting key material', () => {
    const config = loadConfig({
      PAYLOAD_ENCRYPTION_KEYS: `k1:${KEY_1},k2:${KEY_2}`,
      PAYLOAD_ENCRYPTION_KEY_ID: 'k2',
    });
    expect([...config.PAYLOAD_ENCRYPTION_KEYS!.keys()]).toEqual(['k1', 'k2']);
    expect(config.PAYLOAD_ENCRYPTION_KEYS!.get('k2')).toEqual(Buffer.alloc(32, 2));
    expect(
      loadConfig({ PAYLOAD_ENCRYPTION_KEYS: `only:${KEY_1}` }).PAYLOAD_ENCRYPTION_KEY_ID,
    ).toBeUndefined();

    const shortKey = Buffer.alloc(16, 7).toString('base64');
    const bad = configError(() => loadConfig({ PAYLOAD_ENCRYPTION_KEYS: `k1:${shortKey},nocolon` }));
    expect(bad.issues.map((i) => i.variable)).toEqual(['PAYLOAD_ENCRYPTION_KEYS', 'PAYLOAD_ENCRYPTION_KEYS']);
    expect(bad.message).toMatch(/32 bytes/);
    expect(bad.message).not.toContain(shortKey);

    expect(
      configError(() =>
        loadConfig({ PAYLOAD_ENCRYPTION_KEYS: `k1:${KEY_1}`, PAYLOAD_ENCRYPTION_KEY_ID: 'k9' }),
      ).message,
    ).toMatch(/PAYLOAD_ENCRYPTION_KEY_ID: "k9" is not among/);
    expect(
      configError(() => loadConfig({ PAYLOAD_ENCRYPTION_KEYS: `k1:${KEY_1},k2:${KEY_2}` })).issues[0]
        ?.variable,
    ).toBe('PAYLOAD_ENCRYPTION_KEY_ID');
    expect(configError(() => loadConfig({ PAYLOAD_ENCRYPTION_KEY_ID: 'k1' })).issues[0]?.variable).toBe(
      'PAYLOAD_ENCRYPTION_KEY_ID',
    );
  });

  it('documents every variable: a description and who reads it', () => {
    for (const name of Object.keys(variables) as VariableName[]) {
      const meta = variableMeta(name);
      expect(meta.description.length).toBeGreaterThan(10);
      expect(meta.usedBy.length).toBeGreaterThan(2);
    }
  });

  it("keeps README.md's table equal to the one generated from the module", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    expect(start).toBeGreaterThan(0);
    // Prettier pads the cells; compare cell by cell.
    const cells = (table: string) =>
      table
        .trim()
        .split('\n')
        .filter((line) => !/^\|\s*-/.test(line))
        .map((line) => line.split(/(?<!\\)\|/).map((cell) => cell.trim()));
    expect(cells(readme.slice(start + TABLE_START.length, end))).toEqual(cells(configTable()));
  });

  it('is the only reader of process.env in the product code (tests and the binaries finder aside)', () => {
    const hits = execFileSync('git', ['grep', '--untracked', '-l', 'process\\.env', '--', '*.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .filter((file) => !file.startsWith('test/'));
    expect(hits.sort()).toEqual(
      [
        'config/load.ts',
        // Tooling that starts processes with an environment of their own (benchmarks, dev server, cluster, demo).
        'bench/support/worker-entry.ts',
        'bench/support/worker-process.ts',
        'scripts/child-process.ts',
        'scripts/cluster-go-build.ts',
        'scripts/cluster-postgres.ts',
        'scripts/cluster-temporal.ts',
        'scripts/cluster-ui.ts',
        'scripts/cluster.ts',
        'scripts/dev-server.ts',
        'scripts/demo.ts',
        'scripts/start-local.ts',
        'scripts/temporal-binaries.ts',
      ].sort(),
    );
  });
});
