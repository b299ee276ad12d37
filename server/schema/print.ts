// `npm run schema`: writes schema.graphql, the checked artifact that codegen and clients read.
import { writeFileSync } from 'node:fs';
import { printSortedSchema } from './index.ts';

writeFileSync(new URL('../../schema.graphql', import.meta.url), printSortedSchema());
console.log('wrote schema.graphql');
