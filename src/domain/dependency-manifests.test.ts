import { describe, expect, it } from 'vitest';
import { dependencyManifestKindOf, readDeclaredDependencies, type DeclaredDependency, type DependencyManifestKind } from './dependency-manifests.js';

function read(kind: DependencyManifestKind, content: string): Array<Pick<DeclaredDependency, 'name' | 'spec' | 'section' | 'line'>> {
  const reading = readDeclaredDependencies(kind, content);
  if (!reading.ok) throw new Error(reading.problem);
  return reading.dependencies.map(({ name, spec, section, line }) => ({ name, spec, section, line }));
}

describe('dependencyManifestKindOf', () => {
  it('knows the manifests and lock files by name, anywhere in the tree', () => {
    expect(dependencyManifestKindOf('package.json')).toBe('package-json');
    expect(dependencyManifestKindOf('packages/web/package.json')).toBe('package-json');
    expect(dependencyManifestKindOf('package-lock.json')).toBe('package-lock');
    expect(dependencyManifestKindOf('npm-shrinkwrap.json')).toBe('package-lock');
    expect(dependencyManifestKindOf('requirements-dev.txt')).toBe('requirements');
    expect(dependencyManifestKindOf('api/pyproject.toml')).toBe('pyproject');
    expect(dependencyManifestKindOf('go.mod')).toBe('go-mod');
    expect(dependencyManifestKindOf('crates/core/Cargo.toml')).toBe('cargo-toml');
    expect(dependencyManifestKindOf('src/package.json.ts')).toBeUndefined();
    expect(dependencyManifestKindOf('docs/requirements.md')).toBeUndefined();
  });
});

describe('readDeclaredDependencies', () => {
  it('reads package.json sections with the line of each entry', () => {
    const content = [
      '{',
      '  "name": "app",',
      '  "scripts": { "left-pad": "echo not a dependency" },',
      '  "dependencies": {',
      '    "left-pad": "^1.3.0",',
      '    "@scope/tool": "2.0.0"',
      '  },',
      '  "devDependencies": { "vitest": "^4.0.0" }',
      '}',
    ].join('\n');
    expect(read('package-json', content)).toEqual([
      { name: 'left-pad', spec: '^1.3.0', section: 'dependencies', line: 5 },
      { name: '@scope/tool', spec: '2.0.0', section: 'dependencies', line: 6 },
      { name: 'vitest', spec: '^4.0.0', section: 'devDependencies', line: 8 },
    ]);
  });

  it('says why a package.json cannot be read', () => {
    expect(readDeclaredDependencies('package-json', '{ "dependencies": ')).toMatchObject({ ok: false, problem: expect.stringMatching(/^not valid JSON/) });
    expect(readDeclaredDependencies('package-json', '[]')).toEqual({ ok: false, problem: 'expected a JSON object' });
  });

  it('reads package-lock.json v3 packages by install path, and v1 dependency trees', () => {
    const v3 = JSON.stringify(
      { name: 'app', lockfileVersion: 3, packages: { '': { name: 'app' }, 'node_modules/a': { version: '1.0.0' }, 'node_modules/a/node_modules/b': { version: '2.0.0' } } },
      null,
      2,
    );
    const reading = readDeclaredDependencies('package-lock', v3);
    expect(reading).toMatchObject({ ok: true });
    expect(reading.ok && reading.dependencies.map(({ name, key, spec, line }) => ({ name, key, spec, line }))).toEqual([
      { name: 'a', key: 'node_modules/a', spec: '1.0.0', line: 8 },
      { name: 'b', key: 'node_modules/a/node_modules/b', spec: '2.0.0', line: 11 },
    ]);
    const v1 = JSON.stringify({ lockfileVersion: 1, dependencies: { a: { version: '1.0.0', dependencies: { b: { version: '2.0.0' } } } } });
    const old = readDeclaredDependencies('package-lock', v1);
    expect(old.ok && old.dependencies.map((dependency) => [dependency.key, dependency.spec])).toEqual([
      ['node_modules/a', '1.0.0'],
      ['node_modules/a/node_modules/b', '2.0.0'],
    ]);
  });

  it('reads requirements files: names normalized, options and comments skipped, editable installs kept', () => {
    const content = ['# pinned', 'Django==4.2.1  # web', '', '-r base.txt', '--index-url https://pypi.example/simple', 'requests[socks] >= 2.31 ; python_version > "3.8"', '-e git+https://example.test/lib.git#egg=lib', 'zope_interface'].join('\n');
    expect(read('requirements', content)).toEqual([
      { name: 'django', spec: '==4.2.1', section: 'requirements', line: 2 },
      { name: 'requests', spec: '[socks]>= 2.31 ; python_version > "3.8"', section: 'requirements', line: 6 },
      { name: 'git+https://example.test/lib.git#egg=lib', spec: 'editable', section: 'requirements', line: 7 },
      { name: 'zope-interface', spec: '', section: 'requirements', line: 8 },
    ]);
  });

  it('reads pyproject.toml: PEP 621 arrays, optional groups, PEP 735 groups and Poetry tables', () => {
    const content = [
      '[project]',
      'name = "api"',
      'dependencies = [',
      '  "fastapi>=0.110",',
      '  "uvicorn[standard]==0.29",  # server',
      ']',
      '',
      '[project.optional-dependencies]',
      'test = ["pytest>=8", "hypothesis"]',
      '',
      '[dependency-groups]',
      'lint = ["ruff"]',
      '',
      '[tool.poetry.dependencies]',
      'python = "^3.11"',
      'httpx = { version = "^0.27", extras = ["http2"] }',
      '',
      '[tool.poetry.group.dev.dependencies]',
      'Black = "^24"',
      '',
      '[tool.ruff]',
      'line-length = 100',
    ].join('\n');
    expect(read('pyproject', content)).toEqual([
      { name: 'fastapi', spec: '>=0.110', section: 'project.dependencies', line: 4 },
      { name: 'uvicorn', spec: '[standard]==0.29', section: 'project.dependencies', line: 5 },
      { name: 'pytest', spec: '>=8', section: 'project.optional-dependencies.test', line: 9 },
      { name: 'hypothesis', spec: '', section: 'project.optional-dependencies.test', line: 9 },
      { name: 'ruff', spec: '', section: 'dependency-groups.lint', line: 12 },
      { name: 'httpx', spec: '{ version = "^0.27", extras = ["http2"] }', section: 'tool.poetry.dependencies', line: 16 },
      { name: 'black', spec: '"^24"', section: 'tool.poetry.group.dev.dependencies', line: 19 },
    ]);
  });

  it('reads go.mod require lines and blocks, marking indirect ones', () => {
    const content = ['module example.test/app', '', 'go 1.22', '', 'require github.com/pkg/errors v0.9.1', '', 'require (', '\tgolang.org/x/net v0.24.0', '\tgolang.org/x/text v0.14.0 // indirect', ')', '', 'replace golang.org/x/net => ../net'].join('\n');
    expect(read('go-mod', content)).toEqual([
      { name: 'github.com/pkg/errors', spec: 'v0.9.1', section: 'require', line: 5 },
      { name: 'golang.org/x/net', spec: 'v0.24.0', section: 'require', line: 8 },
      { name: 'golang.org/x/text', spec: 'v0.14.0', section: 'require (indirect)', line: 9 },
    ]);
  });

  it('reads Cargo.toml dependency sections, inline tables and dotted tables', () => {
    const content = [
      '[package]',
      'name = "core"',
      'version = "0.1.0"',
      '',
      '[dependencies]',
      'serde = { version = "1", features = ["derive"] }',
      'regex = "1.10"',
      '',
      '[dev-dependencies]',
      'proptest = "1"',
      '',
      "[target.'cfg(unix)'.dependencies]",
      'libc = "0.2"',
      '',
      '[dependencies.tokio]',
      'version = "1.37"',
      'features = ["full"]',
    ].join('\n');
    expect(read('cargo-toml', content)).toEqual([
      { name: 'serde', spec: '{ version = "1", features = ["derive"] }', section: 'dependencies', line: 6 },
      { name: 'regex', spec: '"1.10"', section: 'dependencies', line: 7 },
      { name: 'proptest', spec: '"1"', section: 'dev-dependencies', line: 10 },
      { name: 'libc', spec: '"0.2"', section: "target.'cfg(unix)'.dependencies", line: 13 },
      { name: 'tokio', spec: 'version = "1.37", features = ["full"]', section: 'dependencies', line: 15 },
    ]);
  });
});
