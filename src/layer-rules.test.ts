import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Proves `.dependency-cruiser.cjs` both passes on the real tree and fails on a tree
 * that breaks each layer rule, so `npm run check:layers` can actually fail.
 */

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const depcruise = join(projectRoot, 'node_modules', '.bin', 'depcruise');

interface Violation {
  rule: { name: string; severity: string };
  from: string;
  to: string;
}

function cruise(cwd: string, configPath: string): Violation[] {
  const run = spawnSync(depcruise, ['src', '--config', configPath, '--output-type', 'json'], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error !== undefined) throw run.error;
  let parsed: { summary: { violations: Violation[] } };
  try {
    parsed = JSON.parse(run.stdout) as typeof parsed;
  } catch {
    throw new Error(`depcruise printed no JSON (exit ${run.status}): ${run.stderr}`);
  }
  return parsed.summary.violations;
}

/** The exit code of the command CI runs (`npm run check:layers`), whose default reporter fails on errors. */
function checkLayersExitCode(cwd: string, configPath: string): number | null {
  const run = spawnSync(depcruise, ['src', '--config', configPath], { cwd, encoding: 'utf8' });
  if (run.error !== undefined) throw run.error;
  return run.status;
}

describe('layer rules on the real tree', () => {
  it('find no violation in src/', () => {
    const violations = cruise(projectRoot, '.dependency-cruiser.cjs');
    expect(violations.map((violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`)).toEqual([]);
  });
});

describe('layer rules on a tree that breaks them', () => {
  let fixture: string;
  const files: Record<string, string> = {
    'src/domain/pure.ts': "import { z } from 'zod';\nimport picomatch from 'picomatch';\nimport YAML from 'yaml';\nimport { helper } from './helper.js';\nexport const all = [z, picomatch, YAML, helper];\n",
    'src/domain/helper.ts': 'export const helper = 1;\n',
    'src/domain/pure.test.ts': "import { readFileSync } from 'node:fs';\nimport { describe } from 'vitest';\nimport { all } from './pure.js';\nimport { builder } from '../testing/builder.js';\nexport const used = [readFileSync, describe, all, builder];\n",
    'src/domain/impure.ts': "import { readFileSync } from 'node:fs';\nimport type { Port } from '../ports/port.js';\nimport { execa } from 'execa';\nexport const impure = [readFileSync, execa];\nexport type Uses = Port;\n",
    'src/domain/cycle-a.ts': "import { b } from './cycle-b.js';\nexport const a = (): number => b();\n",
    'src/domain/cycle-b.ts': "import { a } from './cycle-a.js';\nexport const b = (): number => a();\n",
    'src/ports/port.ts': "import type { Settings } from '../config/settings.js';\nexport interface Port { settings: Settings }\n",
    'src/config/settings.ts': 'export interface Settings { name: string }\n',
    'src/pipeline/use-case.ts':
      "import { join } from 'node:path';\nimport { spawn } from 'node:child_process';\nimport { Store } from '../adapters/stores/sqlite/store.js';\nimport { helper } from '../domain/helper.js';\nexport const useCase = [join, spawn, Store, helper];\n",
    'src/pipeline/use-case.test.ts': "import { Store } from '../adapters/stores/sqlite/store.js';\nimport { builder } from '../testing/builder.js';\nexport const used = [Store, builder];\n",
    'src/adapters/stores/sqlite/store.ts': "import { helper } from '../../../domain/helper.js';\nimport { rows } from './rows.js';\nexport const Store = [helper, rows];\n",
    'src/adapters/stores/sqlite/rows.ts': 'export const rows = 1;\n',
    'src/adapters/agents/claude/agent.ts':
      "import { Store } from '../../stores/sqlite/store.js';\nimport { useCase } from '../../../pipeline/use-case.js';\nimport { shared } from '../../shared/helper.js';\nexport const Agent = [Store, useCase, shared];\n",
    'src/adapters/shared/helper.ts':
      "import { spawn } from 'node:child_process';\nimport { z } from 'zod';\nimport type { Port } from '../../ports/port.js';\nimport { helper } from '../../domain/helper.js';\nimport { other } from './other.js';\nimport { rows } from '../stores/sqlite/rows.js';\nimport type { Settings } from '../../config/settings.js';\nexport const shared = [spawn, z, helper, other, rows];\nexport type Uses = [Port, Settings];\n",
    'src/adapters/shared/other.ts': 'export const other = 1;\n',
    'src/runtime/registry.ts': "import { Store } from '../adapters/stores/sqlite/store.js';\nimport { builder } from '../testing/builder.js';\nexport const registry = [Store, builder];\n",
    'src/cli/main.ts': "import { registry } from '../runtime/registry.js';\nimport { Agent } from '../adapters/agents/claude/agent.js';\nimport { builder } from '../testing/builder.js';\nexport const main = [registry, Agent, builder];\n",
    'src/server/app.ts': "import { builder } from '../testing/builder.js';\nimport { Agent } from '../adapters/agents/claude/agent.js';\nexport const app = [builder, Agent];\n",
    'src/testing/builder.ts': "import { Store } from '../adapters/stores/sqlite/store.js';\nexport const builder = Store;\n",
  };

  beforeAll(() => {
    fixture = mkdtempSync(join(tmpdir(), 'nightshift-layer-rules-'));
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(fixture, path)), { recursive: true });
      writeFileSync(join(fixture, path), content);
    }
    copyFileSync(join(projectRoot, 'tsconfig.json'), join(fixture, 'tsconfig.json'));
    symlinkSync(join(projectRoot, 'node_modules'), join(fixture, 'node_modules'), 'dir');
    writeFileSync(
      join(fixture, '.dependency-cruiser.cjs'),
      `module.exports = { extends: ${JSON.stringify(join(projectRoot, '.dependency-cruiser.cjs'))}, options: { preserveSymlinks: true } };\n`,
    );
  });
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  it('reports exactly the deliberate violations and exits with an error', () => {
    const violations = cruise(fixture, '.dependency-cruiser.cjs');
    const found = violations.map((violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`).sort();
    expect(found).toEqual(
      [
        'adapter-not-to-core-or-outer-layers: src/adapters/agents/claude/agent.ts → src/pipeline/use-case.ts',
        'adapter-not-to-other-adapter: src/adapters/agents/claude/agent.ts → src/adapters/stores/sqlite/store.ts',
        'adapters-shared-only-ports-and-domain: src/adapters/shared/helper.ts → src/adapters/stores/sqlite/rows.ts',
        'adapters-shared-only-ports-and-domain: src/adapters/shared/helper.ts → src/config/settings.ts',
        'domain-is-pure: src/domain/impure.ts → fs',
        'domain-is-pure: src/domain/impure.ts → node_modules/execa/index.d.ts',
        'domain-is-pure: src/domain/impure.ts → src/ports/port.ts',
        'no-circular: src/domain/cycle-a.ts → src/domain/cycle-b.ts',
        'only-runtime-picks-adapters: src/pipeline/use-case.ts → src/adapters/stores/sqlite/store.ts',
        'only-runtime-picks-adapters: src/server/app.ts → src/adapters/agents/claude/agent.ts',
        'pipeline-no-input-output: src/pipeline/use-case.ts → child_process',
        'pipeline-not-to-outer-layers: src/pipeline/use-case.ts → src/adapters/stores/sqlite/store.ts',
        'ports-only-domain: src/ports/port.ts → src/config/settings.ts',
        'testing-not-in-production: src/server/app.ts → src/testing/builder.ts',
      ].sort(),
    );
    expect(checkLayersExitCode(fixture, '.dependency-cruiser.cjs')).not.toBe(0);
  });
});
