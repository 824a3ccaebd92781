import { SUITE_SEPARATOR, shortMessage, type ReportParse, type TestCaseResult, type TestReport } from './test-report.js';

/**
 * Reads a JUnit XML report (the de-facto format of `node --test --test-reporter=junit`,
 * jest-junit, pytest `--junitxml`, Maven Surefire, gotestsum …) into per-test results.
 * A small tokenizer rather than an XML library: it reads elements and attributes,
 * skips comments, CDATA, declarations and processing instructions, decodes entities,
 * and ignores everything it does not need, so odd reports still give their tests.
 */
export function parseJunitReport(text: string): ReportParse<TestReport> {
  const events = tokenizeXml(text);
  if (!events.ok) return events;
  const tests: TestCaseResult[] = [];
  const suites: string[] = [];
  const open: string[] = [];
  let current: (TestCaseResult & { text?: string[] }) | undefined;
  let inMessageElement = false;
  let sawJunitElement = false;

  const finishCase = () => {
    if (current === undefined) return;
    const { text: collected, ...test } = current;
    if (test.status === 'failed' && test.message === undefined && collected !== undefined) {
      const message = shortMessage(collected.join(''));
      if (message !== undefined) test.message = message;
    }
    tests.push(test);
    current = undefined;
  };

  for (const event of events.value) {
    if (event.type === 'text') {
      if (inMessageElement && current?.text !== undefined) current.text.push(event.text);
      continue;
    }
    const name = localName(event.name);
    if (event.type === 'open') {
      if (name === 'testsuites' || name === 'testsuite' || name === 'testcase') sawJunitElement = true;
      if (name === 'testsuite') suites.push(event.attributes.name ?? '');
      else if (name === 'testcase') {
        finishCase();
        current = newCase(event.attributes, suites);
      } else if (current !== undefined && (name === 'failure' || name === 'error')) {
        current.status = 'failed';
        const message = shortMessage(event.attributes.message ?? '') ?? shortMessage(event.attributes.type ?? '');
        if (message !== undefined && current.message === undefined) current.message = message;
        if (!event.selfClosing) {
          current.text = [];
          inMessageElement = true;
        }
      } else if (current !== undefined && name === 'skipped' && current.status !== 'failed') {
        current.status = 'skipped';
      }
      if (!event.selfClosing) open.push(name);
      else if (name === 'testcase') finishCase();
      else if (name === 'testsuite') suites.pop();
      continue;
    }
    if (open.at(-1) !== name) return { ok: false, problem: `the JUnit report closes <${name}> where <${open.at(-1) ?? 'nothing'}> is open` };
    open.pop();
    if (name === 'failure' || name === 'error') inMessageElement = false;
    else if (name === 'testcase') finishCase();
    else if (name === 'testsuite') suites.pop();
  }
  if (open.length > 0) return { ok: false, problem: `the JUnit report ends with <${open.at(-1)}> still open (was it cut short?)` };
  if (!sawJunitElement) return { ok: false, problem: 'the file is XML but not a JUnit report (no <testsuites>, <testsuite> or <testcase>)' };
  return { ok: true, value: { format: 'junit', tests } };
}

function newCase(attributes: Record<string, string>, suites: readonly string[]): TestCaseResult & { text?: string[] } {
  const test: TestCaseResult = { name: attributes.name ?? '(unnamed test)', status: 'passed' };
  const suite = suites.filter((name) => name !== '').join(SUITE_SEPARATOR);
  if (suite !== '') test.suite = suite;
  const classname = attributes.classname;
  // node:test writes classname="test" for every case: it says nothing, so it is left out.
  if (classname !== undefined && classname !== '' && classname !== 'test' && classname !== suites.at(-1)) test.classname = classname;
  const seconds = Number(attributes.time);
  if (attributes.time !== undefined && Number.isFinite(seconds) && seconds >= 0) test.durationMilliseconds = Math.round(seconds * 1000 * 1000) / 1000;
  if (attributes.failure !== undefined) {
    test.status = 'failed';
    const message = shortMessage(attributes.failure);
    if (message !== undefined) test.message = message;
  }
  return test;
}

/** `ns:testcase` and `testcase` are the same element to us. */
function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1).toLowerCase();
}

type XmlEvent =
  | { type: 'open'; name: string; attributes: Record<string, string>; selfClosing: boolean }
  | { type: 'close'; name: string }
  | { type: 'text'; text: string };

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ATTRIBUTE = /\s*([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;

/** The elements and text of an XML document, in order; malformed markup is a problem, not an exception. */
function tokenizeXml(text: string): ReportParse<XmlEvent[]> {
  const events: XmlEvent[] = [];
  let position = 0;
  const skipPast = (terminator: string, what: string): ReportParse<void> => {
    const end = text.indexOf(terminator, position);
    if (end < 0) return { ok: false, problem: `the XML report has an unterminated ${what}` };
    position = end + terminator.length;
    return { ok: true, value: undefined };
  };
  while (position < text.length) {
    const next = text.indexOf('<', position);
    if (next < 0) {
      events.push({ type: 'text', text: decodeEntities(text.slice(position)) });
      break;
    }
    if (next > position) events.push({ type: 'text', text: decodeEntities(text.slice(position, next)) });
    position = next;
    if (text.startsWith('<!--', position)) {
      const skipped = skipPast('-->', 'comment');
      if (!skipped.ok) return skipped;
    } else if (text.startsWith('<![CDATA[', position)) {
      const end = text.indexOf(']]>', position);
      if (end < 0) return { ok: false, problem: 'the XML report has an unterminated CDATA section' };
      events.push({ type: 'text', text: text.slice(position + 9, end) });
      position = end + 3;
    } else if (text.startsWith('<?', position)) {
      const skipped = skipPast('?>', 'processing instruction');
      if (!skipped.ok) return skipped;
    } else if (text.startsWith('<!', position)) {
      const skipped = skipPast('>', 'declaration');
      if (!skipped.ok) return skipped;
    } else if (text.startsWith('</', position)) {
      NAME.lastIndex = position + 2;
      const name = NAME.exec(text)?.[0];
      const end = text.indexOf('>', position);
      if (name === undefined || end < 0) return { ok: false, problem: `the XML report has a malformed closing tag at character ${position}` };
      events.push({ type: 'close', name });
      position = end + 1;
    } else {
      const element = readOpeningTag(text, position);
      if (!element.ok) return element;
      events.push(element.value.event);
      position = element.value.end;
    }
  }
  return { ok: true, value: events };
}

function readOpeningTag(text: string, start: number): ReportParse<{ event: XmlEvent; end: number }> {
  NAME.lastIndex = start + 1;
  const name = NAME.exec(text)?.[0];
  if (name === undefined) return { ok: false, problem: `the XML report has a malformed tag at character ${start}` };
  let position = start + 1 + name.length;
  const attributes: Record<string, string> = {};
  for (;;) {
    ATTRIBUTE.lastIndex = position;
    const attribute = ATTRIBUTE.exec(text);
    if (attribute === null) break;
    attributes[attribute[1] ?? ''] = decodeEntities(attribute[2] ?? attribute[3] ?? '');
    position = ATTRIBUTE.lastIndex;
  }
  while (position < text.length && /\s/.test(text[position] ?? '')) position += 1;
  if (text.startsWith('/>', position)) return { ok: true, value: { event: { type: 'open', name, attributes, selfClosing: true }, end: position + 2 } };
  if (text[position] === '>') return { ok: true, value: { event: { type: 'open', name, attributes, selfClosing: false }, end: position + 1 } };
  return { ok: false, problem: `the XML report's <${name}> tag at character ${start} is malformed` };
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (entity: string, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return NAMED_ENTITIES[body] ?? entity;
  });
}
