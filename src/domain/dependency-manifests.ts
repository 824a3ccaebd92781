/**
 * Reads the dependencies a manifest or lock file declares, so the gates can say which
 * dependencies a change added or changed and audit exactly those. Line-based readers,
 * not full TOML or Go parsers: they know the usual layouts of package.json,
 * package-lock.json, requirements*.txt, pyproject.toml (PEP 621, PEP 735 and Poetry),
 * go.mod and Cargo.toml, and report each entry with its line so a finding can point at it.
 */

/** The manifest and lock file formats the readers know. */
export type DependencyManifestKind = 'package-json' | 'package-lock' | 'requirements' | 'pyproject' | 'go-mod' | 'cargo-toml';

/** The package ecosystem a manifest belongs to, named in findings (`new npm dependency …`). */
export type DependencyEcosystem = 'npm' | 'python' | 'go' | 'cargo';

/** One declared dependency: in a lock file, one installed package (the key is its install path). */
export interface DeclaredDependency {
  /** The package name, e.g. `left-pad`, `requests`, `golang.org/x/net`. */
  name: string;
  /** What identifies this entry within its file: the name, or a lock file's install path. */
  key: string;
  /** The version or requirement as written, e.g. `^1.2.0`, `>=2.31`, `v0.20.0`. */
  spec: string;
  /** Where it is declared: `dependencies`, `devDependencies`, `project.dependencies`, `require` … */
  section: string;
  /** 1-based line of the entry, when found. */
  line?: number;
}

/** A manifest's dependencies, or why its text could not be read (invalid JSON …). */
export type ManifestReading = { ok: true; dependencies: DeclaredDependency[] } | { ok: false; problem: string };

const MANIFEST_KINDS: Array<[RegExp, DependencyManifestKind]> = [
  [/(?:^|\/)package\.json$/, 'package-json'],
  [/(?:^|\/)(?:package-lock|npm-shrinkwrap)\.json$/, 'package-lock'],
  [/(?:^|\/)requirements[^/]*\.txt$/, 'requirements'],
  [/(?:^|\/)pyproject\.toml$/, 'pyproject'],
  [/(?:^|\/)go\.mod$/, 'go-mod'],
  [/(?:^|\/)Cargo\.toml$/, 'cargo-toml'],
];

/** Which kind of manifest a path is, or undefined for any other file. */
export function dependencyManifestKindOf(path: string): DependencyManifestKind | undefined {
  return MANIFEST_KINDS.find(([pattern]) => pattern.test(path))?.[1];
}

/** The ecosystem whose packages a manifest kind names. */
export function ecosystemOf(kind: DependencyManifestKind): DependencyEcosystem {
  if (kind === 'package-json' || kind === 'package-lock') return 'npm';
  if (kind === 'requirements' || kind === 'pyproject') return 'python';
  return kind === 'go-mod' ? 'go' : 'cargo';
}

/** Reads the dependencies of a manifest's text; a manifest that cannot be read is a problem, not an exception. */
export function readDeclaredDependencies(kind: DependencyManifestKind, content: string): ManifestReading {
  const lines = content.split('\n').map((line) => line.replace(/\r$/, ''));
  switch (kind) {
    case 'package-json':
      return readPackageJson(content, lines);
    case 'package-lock':
      return readPackageLock(content, lines);
    case 'requirements':
      return { ok: true, dependencies: readRequirements(lines) };
    case 'pyproject':
      return { ok: true, dependencies: readPyproject(lines) };
    case 'go-mod':
      return { ok: true, dependencies: readGoMod(lines) };
    case 'cargo-toml':
      return { ok: true, dependencies: readCargoToml(lines) };
  }
}

const PACKAGE_JSON_SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

function parseJsonObject(content: string): Record<string, unknown> | string {
  try {
    const parsed: unknown = JSON.parse(content);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : 'expected a JSON object';
  } catch (error) {
    return `not valid JSON (${(error as Error).message})`;
  }
}

function quotedKeyPattern(key: string): RegExp {
  return new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"\\s*:`);
}

/** The first line at or after `from` that holds the quoted key. */
function lineOfKey(lines: readonly string[], key: string, from = 0): number | undefined {
  const pattern = quotedKeyPattern(key);
  for (let index = from; index < lines.length; index += 1) if (pattern.test(lines[index] as string)) return index + 1;
  return undefined;
}

function withLine(dependency: Omit<DeclaredDependency, 'line'>, line: number | undefined): DeclaredDependency {
  return line === undefined ? dependency : { ...dependency, line };
}

function readPackageJson(content: string, lines: readonly string[]): ManifestReading {
  const manifest = parseJsonObject(content);
  if (typeof manifest === 'string') return { ok: false, problem: manifest };
  const dependencies: DeclaredDependency[] = [];
  for (const section of PACKAGE_JSON_SECTIONS) {
    const entries = manifest[section];
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) continue;
    const sectionLine = lineOfKey(lines, section) ?? 1;
    for (const [name, spec] of Object.entries(entries as Record<string, unknown>)) {
      dependencies.push(withLine({ name, key: `${section}:${name}`, spec: String(spec), section }, lineOfKey(lines, name, sectionLine - 1)));
    }
  }
  return { ok: true, dependencies };
}

function readPackageLock(content: string, lines: readonly string[]): ManifestReading {
  const lock = parseJsonObject(content);
  if (typeof lock === 'string') return { ok: false, problem: lock };
  const dependencies: DeclaredDependency[] = [];
  const packages = lock.packages;
  if (typeof packages === 'object' && packages !== null) {
    for (const [path, entry] of Object.entries(packages as Record<string, { version?: unknown; name?: unknown }>)) {
      if (path === '' || !path.includes('node_modules/')) continue;
      const name = typeof entry.name === 'string' ? entry.name : path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
      dependencies.push(withLine({ name, key: path, spec: String(entry.version ?? ''), section: 'packages' }, lineOfKey(lines, path)));
    }
    return { ok: true, dependencies };
  }
  const visit = (tree: unknown, prefix: string): void => {
    if (typeof tree !== 'object' || tree === null) return;
    for (const [name, entry] of Object.entries(tree as Record<string, { version?: unknown; dependencies?: unknown }>)) {
      const key = `${prefix}node_modules/${name}`;
      dependencies.push(withLine({ name, key, spec: String(entry.version ?? ''), section: 'dependencies' }, lineOfKey(lines, name)));
      visit(entry.dependencies, `${key}/`);
    }
  };
  visit(lock.dependencies, '');
  return { ok: true, dependencies };
}

/** PEP 503: names compare case-insensitively, with runs of `-`, `_` and `.` equal. */
function normalizePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

const PEP_508 = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*?)\s*$/;

function readPep508(requirement: string, section: string, line: number): DeclaredDependency | undefined {
  const match = PEP_508.exec(requirement);
  if (match === null) return undefined;
  const name = normalizePythonName(match[1] as string);
  return { name, key: `${section}:${name}`, spec: `${match[2] ?? ''}${match[3] ?? ''}`.trim(), section, line };
}

function readRequirements(lines: readonly string[]): DeclaredDependency[] {
  const dependencies: DeclaredDependency[] = [];
  lines.forEach((raw, index) => {
    const text = raw.replace(/(?:^|\s)#.*$/, '').trim();
    if (text === '') return;
    const editable = /^(?:-e|--editable)\s+(\S+)/.exec(text);
    if (editable !== null) {
      dependencies.push({ name: editable[1] as string, key: `requirements:${editable[1]}`, spec: 'editable', section: 'requirements', line: index + 1 });
      return;
    }
    if (text.startsWith('-')) return;
    const dependency = readPep508(text, 'requirements', index + 1);
    if (dependency !== undefined) dependencies.push(dependency);
  });
  return dependencies;
}

const QUOTED_STRING = /"((?:[^"\\]|\\.)*)"|'([^']*)'/g;

function withoutQuotedStrings(text: string): string {
  return text.replace(QUOTED_STRING, '""');
}

/** Reads `[section]` headers and `key = value` lines, calling back with arrays' quoted items and tables' keys. */
function readPyproject(lines: readonly string[]): DeclaredDependency[] {
  const dependencies: DeclaredDependency[] = [];
  let section = '';
  let openArray: string | undefined;
  lines.forEach((raw, index) => {
    const text = raw.replace(/\s#.*$/, '');
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(text);
    if (header !== null && openArray === undefined) {
      section = (header[1] as string).trim();
      return;
    }
    if (openArray === undefined) {
      const assignment = /^\s*([A-Za-z0-9_.-]+)\s*=\s*(.*)$/.exec(text);
      if (assignment === null) return;
      const [, key, value] = assignment as unknown as [string, string, string];
      const isArraySection = (section === 'project' && key === 'dependencies') || section === 'project.optional-dependencies' || section === 'dependency-groups';
      if (isArraySection && value.trimStart().startsWith('[')) {
        openArray = section === 'project' ? 'project.dependencies' : `${section}.${key}`;
      } else if (/^tool\.poetry\.(?:(?:dev-)?dependencies|group\.[^.]+\.dependencies)$/.test(section) && key.toLowerCase() !== 'python') {
        const name = normalizePythonName(key);
        dependencies.push({ name, key: `${section}:${name}`, spec: value.trim(), section, line: index + 1 });
        return;
      } else {
        return;
      }
    }
    for (const match of text.matchAll(QUOTED_STRING)) {
      const dependency = readPep508(match[1] ?? match[2] ?? '', openArray, index + 1);
      if (dependency !== undefined) dependencies.push(dependency);
    }
    if (withoutQuotedStrings(text).includes(']')) openArray = undefined;
  });
  return dependencies;
}

function readGoMod(lines: readonly string[]): DeclaredDependency[] {
  const dependencies: DeclaredDependency[] = [];
  let inRequireBlock = false;
  lines.forEach((raw, index) => {
    const text = raw.trim();
    if (inRequireBlock && text.startsWith(')')) {
      inRequireBlock = false;
      return;
    }
    if (/^require\s*\($/.test(text)) {
      inRequireBlock = true;
      return;
    }
    const entry = inRequireBlock ? /^(\S+)\s+(v\S+)(.*)$/.exec(text) : /^require\s+(\S+)\s+(v\S+)(.*)$/.exec(text);
    if (entry === null) return;
    const section = /\/\/\s*indirect/.test(entry[3] ?? '') ? 'require (indirect)' : 'require';
    dependencies.push({ name: entry[1] as string, key: `require:${entry[1]}`, spec: entry[2] as string, section, line: index + 1 });
  });
  return dependencies;
}

const CARGO_DEPENDENCY_SECTION = /^(?:workspace\.|target\..+\.)?(?:dev-|build-)?dependencies$/;

function readCargoToml(lines: readonly string[]): DeclaredDependency[] {
  const dependencies: DeclaredDependency[] = [];
  let section = '';
  let table: DeclaredDependency | undefined;
  lines.forEach((raw, index) => {
    const text = raw.replace(/\s#.*$/, '').trim();
    const header = /^\[([^\]]+)\]$/.exec(text);
    if (header !== null) {
      section = (header[1] as string).trim();
      table = undefined;
      const dotted = /^((?:workspace\.|target\..+\.)?(?:dev-|build-)?dependencies)\.([A-Za-z0-9_-]+)$/.exec(section);
      if (dotted !== null) {
        table = { name: dotted[2] as string, key: `${dotted[1]}:${dotted[2]}`, spec: '', section: dotted[1] as string, line: index + 1 };
        dependencies.push(table);
      }
      return;
    }
    const assignment = /^([A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(text);
    if (assignment === null) return;
    if (table !== undefined) {
      table.spec = `${table.spec}${table.spec === '' ? '' : ', '}${assignment[1]} = ${assignment[2]}`;
      return;
    }
    if (!CARGO_DEPENDENCY_SECTION.test(section)) return;
    dependencies.push({ name: assignment[1] as string, key: `${section}:${assignment[1]}`, spec: (assignment[2] as string).trim(), section, line: index + 1 });
  });
  return dependencies;
}
