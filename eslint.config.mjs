// @ts-check
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const ROOT = import.meta.dirname;

/** Packages a robot never touches: it reaches the database and the providers through its ports. */
const DATABASE_AND_PROVIDERS = ['typeorm', 'pg', 'sqlite3', 'express', 'twilio', 'telegraf', 'nodemailer'];

/**
 * The layers of DESIGN.md ("Layout"), as import rules: dependencies point one way, http →
 * services → records/pipeline/messaging → db, and everything → core. Each zone forbids the files
 * under `target` to import anything under `from` (type-only imports included).
 */
/** The words of robots.yaml (its shape and vocabulary): at the very bottom, beside the core. */
const CONFIG_WORDS = ['./schema.ts', './primitives.ts', './duration.ts', './event-types.ts', './did-you-mean.ts', './messages.ts'];

const LAYERS = [
  {
    target: CONFIG_WORDS.map((file) => `./config/${file.slice(2)}`),
    from: ['./server', './robots', './triggers'],
    message: 'The words of robots.yaml know no robot, trigger or server module: robots and triggers build on them.',
  },
  {
    target: './server/core',
    from: './server',
    except: ['./core'],
    message: 'server/core is pure and at the bottom: it imports only server/core, the words of robots.yaml and packages.',
  },
  {
    target: './server/core',
    from: './config',
    except: CONFIG_WORDS,
    message: 'server/core may use the words of robots.yaml (config/schema.ts, primitives.ts …), never the loader.',
  },
  {
    target: './server/core',
    from: ['./robots', './triggers'],
    message: 'server/core is pure and at the bottom: what it needs of the robots or triggers is passed in.',
  },
  {
    target: ['./server/!(runtime|robot-ports).ts', './server/*/**'],
    from: ['./robots', './triggers'],
    message: 'No server module imports a robot or a trigger: the composition root (server/runtime.ts) wires the registry in.',
  },
  {
    target: './server/robot-ports.ts',
    from: './robots',
    except: ['./contract.ts'],
    message: 'The robots’ port adapter implements their contract and imports nothing else of robots/.',
  },
  {
    target: './config',
    from: './server',
    except: ['./core'],
    message: 'config/ depends on nothing in server/ but the core.',
  },
  {
    target: ['./server/records', './server/pipeline', './server/messaging', './server/db'],
    from: ['./server/inbound', './server/voice', './server/sweeps', './server/http', './server/reads', './server/reports', './server/config-ops', './server/runtime.ts', './server/robot-ports.ts'],
    message: 'Dependencies point down: records, pipeline and messaging know nothing of the services above them.',
  },
  {
    target: ['./server/records', './server/db'],
    from: ['./server/pipeline', './server/messaging'],
    message: 'Records and the database sit below the pipeline and messaging.',
  },
  {
    target: './server/pipeline',
    from: './server/channels',
    message: 'The pipeline knows no channel by name: messaging and the robots’ ports do.',
  },
  {
    target: './server/channels',
    from: ['./server/inbound', './server/voice', './server/pipeline', './server/records'],
    message: 'A channel never imports inbound, voice, the pipeline or records: what it reports is handed to it.',
  },
  {
    target: ['./server/!(http)/**', './server/!(cli).ts', './robots/**', './triggers/**', './config/**', './scripts/**'],
    from: './server/http',
    message: 'Only the entry point (server/cli.ts), tests and benchmarks import server/http.',
  },
];

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', 'test/artifacts/', 'web/dist/'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  // ── TypeScript: type-aware, each file checked with the tsconfig.json nearest to it ──────────
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    plugins: { 'import-x': importX },
    languageOptions: {
      parserOptions: {
        // test/support/browser.ts is in no tsconfig's include (the root leaves out DOM code): it is
        // checked with the browser tests' options.
        projectService: { allowDefaultProject: ['test/support/browser.ts'], defaultProject: 'test/browser/tsconfig.json' },
        tsconfigRootDir: ROOT,
      },
    },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['tsconfig.json', 'test/browser/tsconfig.json', 'web/tsconfig.json'], noWarnOnMultipleProjects: true })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // The codebase writes `import type { A }` when all are types and `import { x, type A }` when mixed.
      // `typeof import('./x')` annotations stay allowed: the CLI types the modules it loads lazily that way.
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      // …and `import { type A }` alone becomes `import type { A }` (it would leave an empty import behind).
      '@typescript-eslint/no-import-type-side-effects': 'error',
      // A `let` assigned once, after a closure that reads it was made (a timer a callback clears), stays a `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Cycles through value imports; import-x skips type-only imports, which
      // dependency-cruiser counts too (npm run lint:cycles, .dependency-cruiser.cjs).
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones: LAYERS }],
    },
  },
  {
    // A robot sees its contract, the core and the words of robots.yaml; the config's loader would
    // be a cycle (it loads the robot registry), and the database and the providers are the ports' job.
    files: ['robots/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: DATABASE_AND_PROVIDERS.map((name) => ({ name, message: 'A robot reaches the database and providers through its ports (RobotPorts).' })),
          patterns: [
            {
              group: ['../config/*', '!../config/schema', '!../config/primitives', '!../config/duration', '!../config/event-types', '!../config/did-you-mean', '!../config/messages'],
              message: 'A robot imports of config/ only the words of robots.yaml (schema, primitives, duration, event-types, messages).',
            },
            {
              group: ['../server/*', '!../server/core', '../server/*/**', '!../server/core/**', '../../server/*', '!../../server/core', '../../server/*/**', '!../../server/core/**'],
              message: 'A robot imports only robots/*, server/core/*, the words of robots.yaml and packages.',
            },
            { group: ['../triggers', '../triggers/*', '../test/**', '../bench/**'], message: 'A robot imports only robots/*, server/core/*, config types and packages.' },
          ],
        },
      ],
    },
  },
  {
    // Routes parse, authorise and call a service or a read (server/reads); they hold no query of their own.
    files: ['server/http/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'typeorm', message: 'server/http calls services and reads; queries live in server/reads and the services.' }],
          patterns: [{ group: ['**/db/entities', '**/db/entities/*'], message: 'server/http calls services and reads; entities stay below them.' }],
        },
      ],
    },
  },
  {
    // The board (web/) runs in the browser: of the server it may import the API schemas' TYPES
    // (z.infer of the zod schemas), never code, and nothing of node.
    files: ['web/src/**/*.ts', 'web/src/**/*.tsx'],
    languageOptions: { globals: globals.browser },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/**', '**/config/**', '**/robots/**', '**/triggers/**'],
              allowTypeImports: true,
              message: 'The board imports only types from the server (the API schemas, via z.infer): no server code in the bundle.',
            },
            { group: ['node:*', 'zod'], allowTypeImports: true, message: 'The board runs in the browser: types only from node or zod.' },
          ],
        },
      ],
    },
  },
  {
    // The browser tests and their support run page.evaluate callbacks in the page: DOM types there.
    files: ['test/browser/**/*.ts', 'test/support/browser.ts'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['test/**/*.ts'],
    languageOptions: { globals: globals.jest },
  },

  // ── JavaScript: scripts, the CLI shim, configs (CommonJS or ESM, Node) and the pages' kit ───
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
);
