#!/usr/bin/env node
// Runs the TypeScript CLI directly; Bazaar ships its sources and executes them with tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
