import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { TestApi } from './support';

const ROOT = join(__dirname, '..', '..');

describe('npm run sandbox (sandbox/main.ts)', () => {
  it('prints one ready line with its URL, a working token and a proposal, and exits 0 on Ctrl-C', async () => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'sandbox/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, SANDBOX_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const ready = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => stdout.includes('\n') && resolve(stdout));
      child.once('exit', (code) => reject(new Error(`sandbox exited early with ${code}`)));
    });
    const match =
      /ready at (http:\/\/127\.0\.0\.1:\d+) .*token=(ot_pat_\S+) proposal=(\S+) job=(\S+)\n$/.exec(ready);
    expect(match).not.toBeNull();
    const [, url, token, proposalId] = match ?? [];
    const api = new TestApi(`${url}/api/public/v1`, token);
    expect((await api.get('/auth/me')).status).toBe(200);
    const hire = await api.post(`/proposals/${proposalId}/hire`, {
      milestone: { name: 'Batch', amount: 100 },
    });
    expect(hire.status).toBe(202);

    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
  });
});
