import { describe, expect, it } from 'vitest';
import { DANGEROUS_PATTERN_RULES, scanAddedLinesForDangerousPatterns, sourceLanguageOf } from './dangerous-patterns.js';
import type { ParsedDiff } from './unified-diff.js';

function diffAdding(path: string, ...lines: string[]): ParsedDiff {
  return { files: [{ path, status: 'modified', binary: false, deletedCount: 0, addedLines: lines.map((text, index) => ({ lineNumber: index + 3, text })) }] };
}

function rulesFound(path: string, line: string): string[] {
  return scanAddedLinesForDangerousPatterns(diffAdding(path, line)).map((finding) => finding.rule);
}

describe('sourceLanguageOf', () => {
  it('tells code, configuration and prose apart by file name', () => {
    expect(sourceLanguageOf('src/a.ts')).toBe('javascript');
    expect(sourceLanguageOf('web/App.vue')).toBe('javascript');
    expect(sourceLanguageOf('tools/run.py')).toBe('python');
    expect(sourceLanguageOf('cmd/main.go')).toBe('go');
    expect(sourceLanguageOf('Dockerfile')).toBe('configuration');
    expect(sourceLanguageOf('deploy/.env.production')).toBe('configuration');
    expect(sourceLanguageOf('docs/README.md')).toBe('prose');
    expect(sourceLanguageOf('Makefile')).toBe('configuration');
  });
});

describe('scanAddedLinesForDangerousPatterns', () => {
  const flagged: Array<[string, string, string]> = [
    ['dangerous-eval', 'src/a.js', 'const value = eval(userInput);'],
    ['dangerous-eval', 'src/a.ts', 'return globalThis.eval(code)'],
    ['dangerous-eval', 'tools/a.py', 'result = eval(request.args["expr"])'],
    ['dangerous-new-function', 'src/a.js', "const run = new Function('a', body);"],
    ['shell-command-from-string', 'src/a.js', 'child_process.exec(`git log ${branch}`);'],
    ['shell-command-from-string', 'src/a.js', "exec('rm -rf ' + directory, done);"],
    ['shell-command-from-string', 'src/a.ts', 'execSync(command + " --force");'],
    ['shell-command-from-string', 'src/a.js', 'cp.execSync(`convert ${file} out.png`)'],
    ['shell-true', 'src/a.js', "spawn('ls', [dir], { shell: true });"],
    ['shell-true', 'tools/a.py', 'subprocess.run(command, shell=True)'],
    ['tls-verification-disabled', 'src/a.js', 'const agent = new https.Agent({ rejectUnauthorized: false });'],
    ['tls-verification-disabled', 'src/a.js', "process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';"],
    ['tls-verification-disabled', '.github/workflows/ci.yml', '      NODE_TLS_REJECT_UNAUTHORIZED: 0'],
    ['tls-verification-disabled', 'Dockerfile', 'ENV NODE_TLS_REJECT_UNAUTHORIZED=0'],
    ['tls-verification-disabled', 'scripts/start.sh', 'export NODE_TLS_REJECT_UNAUTHORIZED=0'],
    ['tls-verification-disabled', 'tools/a.py', 'requests.get(url, verify=False)'],
    ['tls-verification-disabled', 'cmd/main.go', 'tls.Config{InsecureSkipVerify: true}'],
    ['sql-built-from-strings', 'src/a.js', 'db.query(`SELECT * FROM users WHERE id = ${id}`);'],
    ['sql-built-from-strings', 'src/a.js', `db.query("SELECT * FROM users WHERE name = '" + name + "'");`],
    ['sql-built-from-strings', 'src/a.ts', "const sql = 'DELETE FROM sessions WHERE user = ' + userId;"],
    ['sql-built-from-strings', 'src/a.ts', 'await db.run(`INSERT INTO logs (message) VALUES (\'${message}\')`);'],
    ['sql-built-from-strings', 'tools/a.py', 'cursor.execute(f"UPDATE accounts SET balance = {amount} WHERE id = {account}")'],
    ['sql-built-from-strings', 'tools/a.py', 'cursor.execute("SELECT * FROM t WHERE a = %s" % value)'],
    ['sql-built-from-strings', 'tools/a.py', 'cursor.execute("SELECT * FROM t WHERE a = {}".format(value))'],
    ['sql-built-from-strings', 'app/a.php', '$db->query("SELECT * FROM users WHERE id = " . $id);'],
  ];
  it.each(flagged)('flags %s in %s: %s', (rule, path, line) => {
    const findings = scanAddedLinesForDangerousPatterns(diffAdding(path, line));
    expect(findings.map((finding) => finding.rule)).toContain(rule);
    const finding = findings.find((candidate) => candidate.rule === rule);
    expect(finding).toMatchObject({ file: path, line: 3 });
    expect(finding?.message.length).toBeGreaterThan(10);
    expect(['medium', 'high']).toContain(finding?.severity);
  });

  const safe: Array<[string, string]> = [
    ['src/a.js', 'const match = pattern.exec(text);'],
    ['src/a.js', 'const match = /a+/.exec(first + second);'],
    ['src/a.js', "execFile('git', ['log', branch]);"],
    ['src/a.js', "spawn('ls', [dir], { shell: false });"],
    ['src/a.js', 'const retrieval = evaluate(x);'],
    ['src/a.js', '// never call eval(input) here'],
    ['src/a.js', ' * eval( is forbidden, see below'],
    ['src/a.js', "db.query('SELECT * FROM users WHERE id = ?', [id]);"],
    ['src/a.js', 'console.log("Select a file from the list: " + name);'],
    ['src/a.js', 'const options = { rejectUnauthorized: true };'],
    ['tools/a.py', 'requests.get(url, verify=True)'],
    ['tools/a.py', '# eval(x) would be wrong'],
    ['tools/a.py', 'cursor.execute("SELECT * FROM t WHERE a = %s", (value,))'],
    ['docs/security.md', 'Never write `eval(input)` or `rejectUnauthorized: false`.'],
    ['src/a.js', "process.env.NODE_TLS_REJECT_UNAUTHORIZED = '1';"],
  ];
  it.each(safe)('does not flag %s: %s', (path, line) => {
    expect(rulesFound(path, line)).toEqual([]);
  });

  it('reports each rule once per line, several rules on one line, and nothing for deleted or binary files', () => {
    const line = "exec(`rm ${dir}`, { shell: true }); exec(`ls ${dir}`);";
    expect(rulesFound('src/a.js', line).sort()).toEqual(['shell-command-from-string', 'shell-true']);
    const diff: ParsedDiff = {
      files: [
        { path: 'src/gone.js', status: 'deleted', binary: false, deletedCount: 3, addedLines: [] },
        { path: 'img/a.png', status: 'added', binary: true, deletedCount: 0, addedLines: [] },
      ],
    };
    expect(scanAddedLinesForDangerousPatterns(diff)).toEqual([]);
  });

  it('has a reason for every rule and only known severities', () => {
    for (const rule of DANGEROUS_PATTERN_RULES) {
      expect(rule.reason).not.toBe('');
      expect(['low', 'medium', 'high']).toContain(rule.severity);
    }
  });
});
