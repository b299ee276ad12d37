import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the Svelte client. Reads the checked-in schema (a superset of
 * shared/api/contract.graphql) and every `graphql(`...`)` call in the client, and writes
 * `client/src/gql/` (generated: do not edit).
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  // Operations live in .ts files (client/src/lib/api/documents.ts). Plucking them out of
  // .svelte files needs the `svelte2tsx` package, which is not a dependency; add it and
  // 'client/src/**/*.svelte' here if components ever declare their own documents.
  documents: ['client/src/**/*.ts', '!client/src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'client/src/gql/': {
      preset: 'client',
      presetConfig: {
        // Components read fragment fields directly; no useFragment() unmasking.
        fragmentMasking: false,
      },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        scalars: { DateTime: 'string', JSON: 'unknown' },
        skipTypename: false,
      },
    },
  },
};

export default config;
