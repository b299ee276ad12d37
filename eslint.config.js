// Lint and layering rules for the whole tree (`npm run check` runs `eslint .`).
// Not type-aware: typescript-eslint's `recommended` set only, so linting stays fast.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';

const root = import.meta.dirname;

/**
 * The server's layers, from the bottom up: a file may import only from its own layer
 * or below. Paths are folders or files relative to the repository root; a file listed
 * in a lower layer than its folder (e.g. `server/stages/names.ts`) belongs to the lower
 * layer. Folders not listed here are not constrained.
 */
const serverRootEntries = readdirSync(join(root, 'server')).filter(
  (name) => name.endsWith('.ts') && !['errors.ts', 'logger.ts', 'config.ts'].includes(name),
);
const layers = [
  // The stage and status vocabulary is as basic as the config that names stages.
  ['server/errors.ts', 'server/logger.ts', 'server/config.ts', 'server/redis', 'server/stages/names.ts'],
  ['server/db', 'server/media/media-store.ts', 'server/stages/outputs.ts'],
  // observability/ (metrics) sits here so every part above can count what it does.
  ['server/events', 'server/queue', 'server/auth', 'server/projects', 'server/limits', 'server/observability'],
  ['server/providers'],
  // The offline provider, the stages, and any media code besides the store (rendering).
  ['server/offline', 'server/stages', 'server/media'],
  ['server/tasks'],
  ['server/worker'],
  ['server/schema', 'server/api'],
  // app.ts, main.ts and the small entry scripts at the server's root.
  serverRootEntries.map((name) => `server/${name}`),
];

/** Files of a folder that sit in a lower layer than the folder itself. */
const lowerFiles = {
  'server/stages': ['./names.ts', './outputs.ts'],
  'server/media': ['./media-store.ts'],
};

/** Same-layer imports that are still forbidden. */
const sameLayerBans = [
  {
    target: 'server/stages',
    from: 'server/offline',
    message: 'stages/ must not import the offline provider (server/offline/): take it from the providers.',
  },
  {
    target: 'server/offline',
    from: 'server/stages',
    except: ['./names.ts', './outputs.ts'],
    message: 'The offline provider answers typed provider requests; it must not reach into stages/.',
  },
  {
    target: 'server/schema',
    from: 'server/api',
    // Type-only imports of Context are allowed: see the no-restricted-imports block below.
    except: ['./context.ts'],
    message: 'schema/ must not import server/api/ (only `import type { Context }` from api/context.ts).',
  },
];

/** One zone per upper-layer folder or file: everything below it must not import it. */
function layerZones() {
  return layers.flatMap((layer, level) =>
    level === 0
      ? []
      : layer.map((from) => ({
          target: layers.slice(0, level).flat(),
          from,
          ...(lowerFiles[from] ? { except: lowerFiles[from] } : {}),
          message: `${from} is in layer L${level}: lower layers must not import it (see eslint.config.js).`,
        })),
  );
}

const zones = [
  ...layerZones(),
  ...sameLayerBans,
  { target: 'client', from: 'server', message: 'The client must not import server code.' },
  { target: 'server', from: 'client', message: 'The server must not import client code.' },
];

export default defineConfig(
  {
    ignores: ['client/dist/', 'client/src/gql/', 'data/', 'test-artifacts/', 'dist/'],
  },
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: {
        parser: tseslint.parser,
        extraFileExtensions: ['.svelte'],
      },
    },
  },
  {
    plugins: { 'import-x': importX },
    settings: {
      // The dependency graph (for no-cycle) follows our own .ts files only.
      'import-x/extensions': ['.ts'],
      'import-x/ignore': ['node_modules'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver()],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // SvelteKit-only (`resolve()` from $app/paths); this client is a plain Vite app.
      'svelte/no-navigation-without-resolve': 'off',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { basePath: root, zones }],
    },
  },
  {
    // A registry of heterogeneous stages: each StageDefinition<I> has its own input type.
    files: ['server/stages/registry.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Tests read loosely typed GraphQL results (`gql<T = any>`): not worth typing.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The one exception to "schema/ does not import api/": the Context type.
    files: ['server/schema/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)api/context(\\.ts)?$',
              allowTypeImports: true,
              message: 'schema/ may import only the Context type from api/context.ts (`import type`).',
            },
          ],
        },
      ],
    },
  },
);
