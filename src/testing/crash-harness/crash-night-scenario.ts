import type { Stage } from '../../domain/stage.js';
import type { ScenarioDocument } from '../model-server/scenario.js';
import { ticketFileText } from '../ticket-file-text.js';

/** What a ticket of the crash night is scripted to do, and so how it must end however often the night is killed. */
export type CrashTicketRole = 'complete' | 'stacked' | 'partial' | 'escalated';

/** The end a ticket must reach: its run state, its tracker status, and which effects it leaves. */
export interface CrashTicketExpectation {
  ticketId: string;
  role: CrashTicketRole;
  runState: 'ready' | 'partial' | 'escalated';
  trackerStatus: string;
  stages: Stage[];
  mergeRequest: boolean;
  followUp: boolean;
  escalation: boolean;
  /** The ticket whose branch this one starts from (stacked MRs), when it has one in the batch. */
  stackedOn?: string;
}

export interface CrashNight {
  /** Files of the repository's first commit, tickets included (the config is added by the repository builder). */
  files: Record<string, string>;
  scenario: ScenarioDocument;
  expectations: CrashTicketExpectation[];
}

/** A short "test run" inside C2, so that kills also land while the agent's shell command runs. */
const TEST_RUN = "node -e 'setTimeout(() => {}, 300)'";

/** The roles of the first tickets; the fifth and later ones are plain. One of each effect, and a dependency pair. */
const ROLES: readonly CrashTicketRole[] = ['complete', 'stacked', 'partial', 'escalated'];

/**
 * The night every crash trial replays: `ticketCount` tickets (at least 1) whose scripts
 * cover each kind of external effect a resumed run must not repeat — a commit and a
 * draft MR (every finished ticket), a stacked branch (the second ticket depends on the
 * first), a follow-up ticket filed for a partial result, and an escalation.
 */
export function buildCrashNight(ticketCount: number): CrashNight {
  if (!Number.isInteger(ticketCount) || ticketCount < 1) throw new Error(`crash night: ticketCount must be a whole number ≥ 1, got ${ticketCount}`);
  const files: Record<string, string> = {
    'package.json': '{ "name": "crash-night", "type": "module", "private": true }\n',
    'src/index.js': 'export const version = 1;\n',
  };
  const scenario: ScenarioDocument = { tickets: {} };
  const expectations: CrashTicketExpectation[] = [];
  for (let index = 1; index <= ticketCount; index += 1) {
    const ticketId = `CRASH-${index}`;
    const role = ROLES[index - 1] ?? 'complete';
    const stackedOn = role === 'stacked' ? 'CRASH-1' : undefined;
    files[`tickets/${ticketId}.md`] = ticketFileText({
      id: ticketId,
      title: `Crash ticket ${index}`,
      priority: index === 1 ? 'high' : 'medium',
      estimatedFiles: ['src/*.js'],
      ...(stackedOn === undefined ? {} : { dependencies: [stackedOn] }),
    });
    const name = `feature_${index}`;
    const scope = { report: { summary: `Add ${name}`, files: [`src/${name}.js`], complexity: 'small' } };
    const plan =
      role === 'escalated'
        ? { report: { plan: ['Pick a storage'], risks: [], complexity: 'small', decision_needed: { kind: 'architecture', question: `Files or SQLite for ${name}?`, options: ['Files', 'SQLite'] } } }
        : { report: { plan: [`Write src/${name}.js`], risks: [], complexity: 'small', decision_needed: null } };
    const report =
      role === 'partial'
        ? { summary: `Added half of ${name}`, changes: [`Add the first half of ${name}`], tests_run: [TEST_RUN], partial: true, remaining_work: [`Write the second half of ${name}`] }
        : { summary: `Added ${name}`, changes: [`Add ${name}`], tests_run: [TEST_RUN] };
    scenario.tickets[ticketId] = {
      C0: [scope],
      C1: [plan],
      C2: [{ write: { path: `src/${name}.js`, content: `export const ${name} = ${index};\n` } }, { run: { command: TEST_RUN } }, { report }],
    };
    expectations.push({
      ticketId,
      role,
      runState: role === 'partial' ? 'partial' : role === 'escalated' ? 'escalated' : 'ready',
      trackerStatus: role === 'partial' ? 'partial' : role === 'escalated' ? 'escalated' : 'in-review',
      stages: role === 'escalated' ? ['C0', 'C1'] : ['C0', 'C1', 'C2'],
      mergeRequest: role !== 'escalated',
      followUp: role === 'partial',
      escalation: role === 'escalated',
      ...(stackedOn === undefined ? {} : { stackedOn }),
    });
  }
  return { files, scenario, expectations };
}
