#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npx robots …` works without a build step.
require('tsx/cjs');
require('../server/cli.ts').main(process.argv);
