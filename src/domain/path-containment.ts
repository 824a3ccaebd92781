/**
 * Whether a path lies inside a directory (or is the directory itself), compared at
 * directory boundaries: `/ws-evil` is not inside `/ws`, and `/ws/../etc` is not either.
 * Both paths must be absolute POSIX paths, and should be real paths (symbolic links
 * resolved by the caller): a link is exactly how an agent would make a path outside its
 * worktree look like one inside. A relative path is a defect of the caller and throws.
 */
export function isInsideDirectory(candidateRealPath: string, directoryRealPath: string): boolean {
  const candidate = pathSegments(candidateRealPath, 'candidateRealPath');
  const directory = pathSegments(directoryRealPath, 'directoryRealPath');
  if (candidate.length < directory.length) return false;
  return directory.every((segment, index) => candidate[index] === segment);
}

/**
 * The same absolute POSIX path with `.`, `..` and repeated or trailing slashes resolved
 * lexically (no file system involved), e.g. `/a//b/../c/` → `/a/c`. `..` at the root
 * stays at the root, as the kernel does.
 */
export function normalizeAbsolutePath(path: string): string {
  return `/${pathSegments(path, 'path').join('/')}`;
}

function pathSegments(path: string, field: string): string[] {
  if (!path.startsWith('/') || path.includes('\0')) {
    throw new Error(`path containment: ${field} must be an absolute path without NUL characters, got ${JSON.stringify(path)}`);
  }
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return segments;
}
