import { SUITE_SEPARATOR, shortMessage, type ReportParse, type TestCaseResult, type TestReport } from './test-report.js';

/**
 * Reads a TAP stream (TAP 13/14, as `node --test --test-reporter=tap`, tape, bats or
 * prove write it) into per-test results. Subtests are indented under their parent;
 * a test point with subtests is a suite, not a test, and names its children. YAML
 * diagnostic blocks give durations and failure messages; `# SKIP` and `# TODO` mark
 * skipped tests; `Bail out!` marks a run that stopped early.
 */
export function parseTapReport(text: string): ReportParse<TestReport> {
  const pendingByIndent = new Map<number, TestCaseResult[]>();
  let last: TestCaseResult | undefined;
  let yamlIndent: number | undefined;
  let block: DiagnosticBlock | undefined;
  let sawTap = false;
  let bailedOut = false;

  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    const indent = line.length - line.trimStart().length;
    const content = line.trim();
    if (yamlIndent !== undefined) {
      if (content === '...' && indent <= yamlIndent) {
        yamlIndent = undefined;
        continue;
      }
      if (last !== undefined) block = readDiagnostic(last, indent, content, block);
      continue;
    }
    if (content === '---' && last !== undefined) {
      yamlIndent = indent;
      block = undefined;
      continue;
    }
    if (/^TAP version \d+/i.test(content) || /^1\.\.\d+/.test(content)) {
      sawTap = true;
      continue;
    }
    if (/^Bail out!/i.test(content)) {
      sawTap = true;
      bailedOut = true;
      continue;
    }
    const point = /^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*)$/.exec(content);
    if (point === null) continue;
    sawTap = true;
    last = testPoint(point[1] === 'ok', point[3] ?? '', point[2]);
    const children = takeDeeper(pendingByIndent, indent);
    const siblings = pendingByIndent.get(indent) ?? [];
    if (children.length === 0) siblings.push(last);
    else {
      for (const child of children) child.suite = child.suite === undefined ? last.name : `${last.name}${SUITE_SEPARATOR}${child.suite}`;
      siblings.push(...children);
      // A suite that failed while none of its tests did failed by itself (a hook, a crash): that counts as a failed test.
      if (last.status === 'failed' && !children.some((child) => child.status === 'failed')) siblings.push(last);
    }
    pendingByIndent.set(indent, siblings);
  }
  if (!sawTap) return { ok: false, problem: 'the file is not a TAP report (no "TAP version", plan or "ok"/"not ok" line)' };
  const tests = takeDeeper(pendingByIndent, -1);
  return { ok: true, value: { format: 'tap', tests, ...(bailedOut ? { bailedOut: true } : {}) } };
}

function testPoint(passed: boolean, rest: string, number: string | undefined): TestCaseResult {
  const { description, directive } = splitDirective(rest);
  const name = description === '' ? `test ${number ?? '?'}` : description;
  const isSkip = directive !== undefined && /^(skip|todo)\b/i.test(directive);
  return { name, status: isSkip ? 'skipped' : passed ? 'passed' : 'failed' };
}

/** The description and the `# SKIP …`/`# TODO …` directive; `\#` and `\\` are TAP escapes. */
function splitDirective(rest: string): { description: string; directive?: string } {
  let description = '';
  for (let index = 0; index < rest.length; index += 1) {
    const character = rest[index];
    if (character === '\\' && (rest[index + 1] === '#' || rest[index + 1] === '\\')) {
      description += rest[index + 1];
      index += 1;
    } else if (character === '#') {
      return { description: description.trim(), directive: rest.slice(index + 1).trim() };
    } else {
      description += character;
    }
  }
  return { description: description.trim() };
}

/** Removes and returns, in order, every pending test indented deeper than `indent`. */
function takeDeeper(pendingByIndent: Map<number, TestCaseResult[]>, indent: number): TestCaseResult[] {
  const deeper = [...pendingByIndent.keys()].filter((key) => key > indent).sort((left, right) => left - right);
  const taken: TestCaseResult[] = [];
  for (const key of deeper) {
    taken.push(...(pendingByIndent.get(key) ?? []));
    pendingByIndent.delete(key);
  }
  return taken;
}

/** An `error: |-` key whose message follows on deeper-indented lines. */
interface DiagnosticBlock {
  indent: number;
  /** The message's non-empty lines read so far; the first few make the message. */
  lines: number;
}

/** Lines of a multi-line error joined into the message (`Expected values to be strictly equal: 2 !== 3`). */
const MESSAGE_LINES = 3;

/** Reads `duration_ms` and the first line of `error` (inline, or as a `|-` block) from a YAML diagnostic line. */
function readDiagnostic(test: TestCaseResult, indent: number, content: string, block: DiagnosticBlock | undefined): DiagnosticBlock | undefined {
  if (block !== undefined && (indent > block.indent || content === '')) {
    if (content === '' || block.lines >= MESSAGE_LINES) return block;
    const message = shortMessage(test.message === undefined ? content : `${test.message} ${content}`);
    if (message !== undefined) test.message = message;
    return { ...block, lines: block.lines + 1 };
  }
  const field = /^([A-Za-z_]+):\s*(.*)$/.exec(content);
  if (field === null) return undefined;
  const [, key, value = ''] = field;
  if (key === 'duration_ms') {
    const milliseconds = Number(value);
    if (Number.isFinite(milliseconds) && milliseconds >= 0) test.durationMilliseconds = Math.round(milliseconds * 1000) / 1000;
    return undefined;
  }
  if ((key !== 'error' && key !== 'message') || test.status !== 'failed' || test.message !== undefined) return undefined;
  if (/^[|>][-+]?$/.test(value)) return { indent, lines: 0 };
  const message = shortMessage(value.replace(/^(['"])(.*)\1$/, '$2'));
  if (message !== undefined) test.message = message;
  return undefined;
}
