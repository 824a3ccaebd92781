import type { Command } from 'commander';
import { checkTicketId } from '../../domain/ticket-id.js';
import { flattenUntrustedText } from '../../domain/untrusted-text.js';
import { answerEscalation, findEscalation, listEscalations } from '../../pipeline/escalations.js';
import type { EscalationRecord } from '../../ports/store.js';
import { UserFacingError } from '../../runtime/user-facing-error.js';
import { printJson, withRuntime, type RepositoryOptions } from '../with-runtime.js';

/**
 * `nightshift escalations list|show|answer`: the questions agents could not settle alone.
 * An answer puts the ticket back in the queue; the next batch runs its C1 with the decision.
 */
export function registerEscalationsCommand(program: Command): void {
  const escalations = program
    .command('escalations')
    .description('List, show and answer the questions tickets escalated to a human instead of going on to C2')
    .addHelpText(
      'after',
      `
A ticket escalates after C1 when the agent asks for a decision (architecture,
several valid approaches, missing information), re-estimates the complexity above
the ticket's, needs too many files outside estimated_files, or would change
protected paths (CI, auth, migrations, secrets, lock files): see "escalation" in
nightshift.yaml. Answering puts the ticket back in the queue for the next batch,
whose C1 and C2 prompts carry the decision.

Examples:
  nightshift escalations list
  nightshift escalations show PROJ-145
  nightshift escalations answer PROJ-145 --text "Use JWT, like the API service"`,
    );

  escalations
    .command('list', { isDefault: true })
    .description('List open escalations, oldest first (the default subcommand)')
    .option('--all', 'include answered escalations')
    .option('--batch <id>', 'only the escalations of this batch')
    .option('--json', 'print the escalations as JSON')
    .action(async (options: { all?: boolean; batch?: string; json?: boolean }, command: Command) => {
      await withRuntime(command.optsWithGlobals<RepositoryOptions>(), async (runtime) => {
        const records = await listEscalations(runtime.dependencies, {
          ...(options.all === true ? {} : { open: true }),
          ...(options.batch === undefined ? {} : { batchId: options.batch }),
        });
        if (options.json === true) printJson({ escalations: records.map((record) => escalationJson(record, false)) });
        else process.stdout.write(formatEscalationList(records, options.all === true));
      });
    });

  escalations
    .command('show')
    .description("Show a ticket's latest escalation: the question, the options, and what the agent found and planned")
    .argument('<ticket>', 'the ticket id, e.g. PROJ-145')
    .option('--json', 'print the escalation (with its C0/C1 context) as JSON')
    .action(async (ticket: string, options: { json?: boolean }, command: Command) => {
      const ticketId = requireTicketId(ticket);
      await withRuntime(command.optsWithGlobals<RepositoryOptions>(), async (runtime) => {
        const record = await findEscalation(runtime.dependencies, ticketId);
        if (record === undefined) throw new UserFacingError(`ticket ${ticketId} has no escalation`, 'invalid-input', ['see the open ones with: nightshift escalations list']);
        if (options.json === true) printJson(escalationJson(record, true));
        else process.stdout.write(formatEscalation(record));
      });
    });

  escalations
    .command('answer')
    .description("Answer a ticket's open escalation; the ticket goes back in the queue for the next batch")
    .argument('<ticket>', 'the ticket id, e.g. PROJ-145')
    .requiredOption('--text <decision>', 'the decision, in words the agent will follow')
    .option('--by <name>', 'who answers (default: $USER)')
    .option('--json', 'print the answered escalation as JSON')
    .addHelpText('after', '\nExample:\n  nightshift escalations answer PROJ-145 --text "Sessions: we must revoke them server-side" --by ada')
    .action(async (ticket: string, options: { text: string; by?: string; json?: boolean }, command: Command) => {
      const ticketId = requireTicketId(ticket);
      const answeredBy = options.by ?? process.env.USER ?? 'unknown';
      await withRuntime(command.optsWithGlobals<RepositoryOptions>(), async (runtime) => {
        const result = await answerEscalation(runtime.dependencies, { ticketId, text: options.text, answeredBy });
        if (!result.ok) {
          const hint = result.reason === 'empty-answer' ? 'pass the decision with --text "…"' : 'see the open ones with: nightshift escalations list';
          throw new UserFacingError(result.message, 'invalid-input', [hint]);
        }
        if (options.json === true) {
          printJson({ ...(escalationJson(result.escalation, false) as object), ticketStatus: result.ticketStatus });
          return;
        }
        process.stdout.write(
          `Answered ${ticketId} (batch ${result.escalation.batchId}) as ${answeredBy}.\n` +
            `The ticket's status is now "${result.ticketStatus}": the next batch takes it again, and its C1 runs with this decision.\n`,
        );
      });
    });
}

function requireTicketId(candidate: string): string {
  const checked = checkTicketId(candidate);
  if (!checked.ok) throw new UserFacingError(checked.reason, 'invalid-input');
  return checked.id;
}

/** The stable JSON of an escalation; the C0/C1 context only where asked (it can be long). */
function escalationJson(record: EscalationRecord, withContext: boolean): unknown {
  return {
    ticketId: record.ticketId,
    batchId: record.batchId,
    trigger: record.trigger,
    question: record.question,
    options: record.options,
    createdAt: record.createdAt,
    open: record.answer === undefined,
    answer: record.answer ?? null,
    answeredAt: record.answeredAt ?? null,
    answeredBy: record.answeredBy ?? null,
    ...(withContext ? { context: record.context ?? null } : {}),
  };
}

/** One short block per escalation; agent text is flattened so it cannot forge lines or escapes. */
export function formatEscalationList(records: readonly EscalationRecord[], includeAnswered: boolean): string {
  if (records.length === 0) return includeAnswered ? 'No escalations.\n' : 'No open escalations.\n';
  const open = records.filter((record) => record.answer === undefined).length;
  const lines = [includeAnswered ? `Escalations (${records.length}, ${open} open):` : `Open escalations (${records.length}):`];
  for (const record of records) {
    lines.push('', `  ${record.answer === undefined ? '⚠' : '✓'} ${record.ticketId}  ${safe(record.trigger)}  (batch ${record.batchId})`, `    ${safe(record.question)}`);
    if (record.options.length > 0) lines.push(`    Options: ${record.options.map((option) => safe(option)).join(' | ')}`);
    if (record.answer !== undefined) lines.push(`    Answered${record.answeredBy === undefined ? '' : ` by ${safe(record.answeredBy)}`}: ${safe(record.answer)}`);
  }
  if (open > 0) lines.push('', 'Details: nightshift escalations show <ticket>', 'Answer:  nightshift escalations answer <ticket> --text "…"');
  return `${lines.join('\n')}\n`;
}

/** Everything a person needs to decide: the question, the options, and the agent's C0/C1 work. */
export function formatEscalation(record: EscalationRecord): string {
  const lines = [
    `${record.ticketId} escalated in batch ${record.batchId} at ${record.createdAt}`,
    `Trigger:  ${safe(record.trigger)}`,
    `Question: ${safe(record.question)}`,
  ];
  if (record.options.length > 0) {
    lines.push('Options:');
    record.options.forEach((option, index) => lines.push(`  ${index + 1}. ${safe(option)}`));
  }
  if (record.answer === undefined) {
    lines.push(`Status:   open — answer with: nightshift escalations answer ${record.ticketId} --text "…"`);
  } else {
    lines.push(`Status:   answered${record.answeredBy === undefined ? '' : ` by ${safe(record.answeredBy)}`}${record.answeredAt === undefined ? '' : ` at ${record.answeredAt}`}`);
    lines.push(`Decision: ${safe(record.answer)}`);
  }
  lines.push(...formatContext(record.context));
  return `${lines.join('\n')}\n`;
}

function formatContext(context: unknown): string[] {
  if (!isRecord(context)) return context === undefined || context === null ? [] : ['', 'Context:', indent(JSON.stringify(context, null, 2))];
  const lines: string[] = [];
  const { scope, plan, details, alsoFired, ...rest } = context;
  if (isRecord(scope)) {
    lines.push('', 'What the agent found (C0):');
    if (typeof scope.summary === 'string') lines.push(`  Summary: ${safe(scope.summary)}`);
    if (Array.isArray(scope.files)) lines.push(`  Files: ${scope.files.length === 0 ? 'none' : scope.files.map((file) => safe(String(file))).join(', ')}`);
    if (typeof scope.complexity === 'string') lines.push(`  Complexity: ${safe(scope.complexity)}`);
  }
  if (isRecord(plan)) {
    lines.push('', 'What the agent planned (C1):');
    if (Array.isArray(plan.plan)) plan.plan.forEach((step, index) => lines.push(`  ${index + 1}. ${safe(String(step))}`));
    if (Array.isArray(plan.risks) && plan.risks.length > 0) lines.push('  Risks:', ...plan.risks.map((risk) => `    - ${safe(String(risk))}`));
    if (typeof plan.complexity === 'string') lines.push(`  Complexity: ${safe(plan.complexity)}`);
  }
  if (Array.isArray(alsoFired) && alsoFired.length > 0) {
    lines.push('', 'Also raised:');
    for (const fired of alsoFired) {
      if (isRecord(fired)) lines.push(`  - ${safe(String(fired.trigger))}: ${safe(String(fired.question))}`);
    }
  }
  const described = describeDetails(details);
  if (described.length > 0) lines.push('', 'Why:', ...described.map((line) => `  ${line}`));
  const extra = { ...(described.length === 0 && details !== undefined ? { details } : {}), ...rest };
  if (Object.keys(extra).length > 0) lines.push('', 'More context:', indent(JSON.stringify(extra, null, 2)));
  return lines;
}

/** The trigger details of `evaluateEscalationTriggers`, in words; unknown shapes are shown as JSON. */
function describeDetails(details: unknown): string[] {
  if (!isRecord(details)) return [];
  const files = Array.isArray(details.files) ? details.files : [];
  switch (details.kind) {
    case 'agent-decision':
      return [`The agent asked for a decision (${safe(String(details.decisionKind))}).`];
    case 'protected-paths':
      return files.filter(isRecord).map((file) => `${safe(String(file.path))} is protected (${(Array.isArray(file.patterns) ? file.patterns : []).map((pattern) => safe(String(pattern))).join(', ')})`);
    case 'complexity-above-estimate':
      return [`The agent re-estimated the complexity as ${safe(String(details.reestimated))} at ${safe(String(details.stage))}; the ticket says ${safe(String(details.estimated))}.`];
    case 'files-outside-estimate':
      return [
        `${files.length} files outside the estimated files, more than the ${safe(String(details.maximum))} allowed: ${files.map((file) => safe(String(file))).join(', ')}`,
        `Estimated files: ${(Array.isArray(details.estimatedFiles) ? details.estimatedFiles : []).map((file) => safe(String(file))).join(', ')}`,
      ];
    default:
      return [];
  }
}

function safe(text: string): string {
  return flattenUntrustedText(text);
}

/** Stored agent text as indented JSON: each line made safe, its indentation kept. */
function indent(json: string): string {
  return json
    .split('\n')
    .map((line) => `  ${/^ */.exec(line)?.[0] ?? ''}${flattenUntrustedText(line)}`)
    .join('\n');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
