import { createHmac } from 'node:crypto';

/** Signs a body the way OpenTrain does (REFERENCE §6.2), independently of the code under test. */
export function signWebhook(secret: string, body: string, atSec = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${atSec}.${body}`).digest('hex');
  return `t=${atSec},v1=${v1}`;
}
