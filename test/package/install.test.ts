import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startE2eStack } from '../e2e/support/stack';
import type { E2eStack } from '../e2e/support/stack';
import { consumerFiles } from './consumer-files';

/**
 * The package as a user gets it: `npm pack` (its prepack builds lib/), installed into an empty project from the
 * tarball (dependencies from the local npm cache first), then imported from CommonJS, ESM and TypeScript, and its
 * two bins run from the consumer's PATH, all against a running stack.
 */

jest.setTimeout(900_000);
const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
let stack: E2eStack;
let dir: string;
let tarball: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'engagements-consumer-'));
  await run('npm', ['pack', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  const packed = (await readdir(dir)).find((f) => f.endsWith('.tgz'));
  if (!packed) throw new Error('npm pack wrote no tarball');
  tarball = join(dir, packed);
  const project = join(dir, 'consumer');
  for (const [file, text] of Object.entries(consumerFiles)) {
    await mkdir(dirname(join(project, file)), { recursive: true });
    await writeFile(join(project, file), text);
  }
  await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: project,
    maxBuffer: 64 * 1024 * 1024,
  });
  dir = project;
  stack = await startE2eStack({ webhooks: 'off', feedPollIntervalMs: 1_000 });
});
afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dirname(dir), { recursive: true, force: true });
});

async function consumer(command: string, args: string[]): Promise<string> {
  const { proposalId } = await stack.control.createProposal({ token: stack.token });
  const env = { ...process.env, TEMPORAL_ADDRESS: stack.env.address, PROPOSAL_ID: proposalId };
  const { stdout } = await run(command, args, { cwd: dir, env });
  return stdout;
}

it('packs only runtime files', async () => {
  const { stdout } = await run('tar', ['-tzf', tarball]);
  const files = stdout.trim().split('\n');
  expect(files).toContain('package/lib/client/index.js');
  expect(files).toContain('package/lib/client/index.d.ts');
  expect(files).toContain('package/lib/client/mcp/main.js');
  for (const file of files) expect(file).toMatch(/^package\/(package\.json|README\.md|lib\/.+\.(js|d\.ts))$/);
  expect(files.some((f) => /\/(test|sandbox|scripts|worker)\/|\.map$|\.ts$(?<!\.d\.ts)/.test(f))).toBe(false);
});

describe.each([
  ['plain Node, CommonJS', () => consumer(process.execPath, ['cjs.cjs'])],
  ['plain Node, ESM', () => consumer(process.execPath, ['esm.mjs'])],
  [
    'TypeScript (nodenext)',
    async () => {
      await run(process.execPath, [TSC, '-p', 'ts'], { cwd: dir });
      return consumer(process.execPath, ['ts-out/main.js']);
    },
  ],
])('imported from %s', (_name, script) => {
  it('starts an engagement and reads it through connectEngagementClient; errors come from /errors', async () => {
    const seen = JSON.parse((await script()).trim().split('\n').pop()!) as Record<string, unknown>;
    expect(seen).toMatchObject({ notFound: true, isClientClass: true });
    expect(String(seen.engagementId)).toMatch(/^engagement-prp_/);
  });
});

it('puts engagements and engagements-mcp on the PATH of npm scripts', async () => {
  const bin = join(dir, 'node_modules', '.bin');
  const { stdout: help } = await run(join(bin, 'engagements'), ['--help']);
  expect(help).toMatch(/Usage: engagements/);
  const { stdout: listed } = await run(join(bin, 'engagements'), ['list', '--json'], {
    env: { ...process.env, TEMPORAL_ADDRESS: stack.env.address },
  });
  expect(Array.isArray(JSON.parse(listed))).toBe(true);

  const client = new Client({ name: 'install-test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: join(bin, 'engagements-mcp'),
      env: { PATH: process.env.PATH ?? '', TEMPORAL_ADDRESS: stack.env.address },
      stderr: 'ignore',
    }),
  );
  try {
    expect((await client.listTools()).tools).toHaveLength(13);
    const listed = await client.callTool({ name: 'list_engagements', arguments: {} });
    expect(listed.isError).toBeFalsy();
  } finally {
    await client.close();
  }
});
