import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withConfigTable } from '../config/table';

/** `npm run config:table`: rewrites README.md's configuration table from config/variables.ts. */
const file = join(__dirname, '..', 'README.md');
writeFileSync(file, withConfigTable(readFileSync(file, 'utf8')));
console.log('README.md configuration table regenerated');
