import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely, Migration, MigrationProvider } from 'kysely';

/** The SQL dialects the store's schema is written for. */
export type StoreDialect = 'sqlite' | 'postgres';

/**
 * The store's schema as in-code migrations, so that a build in `dist/` migrates
 * without scanning the file system. Only the identity column differs per dialect;
 * everything else is portable DDL.
 */
export function createStoreMigrationProvider(dialect: StoreDialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '0001-initial-schema': { up: (database) => createInitialSchema(database, dialect) },
    '0002-escalation-answered-by': { up: addEscalationAnsweredBy },
    '0003-review-actions': { up: (database) => addReviewActions(database, dialect) },
    '0004-gate-result-details': { up: addGateResultDetails },
  };
  return { getMigrations: async () => migrations };
}

function withSequence<Table extends string>(table: CreateTableBuilder<Table>, dialect: StoreDialect): CreateTableBuilder<Table, 'sequence'> {
  return dialect === 'postgres'
    ? table.addColumn('sequence', 'integer', (column) => column.generatedAlwaysAsIdentity().primaryKey())
    : table.addColumn('sequence', 'integer', (column) => column.primaryKey().autoIncrement());
}

const required = (column: ColumnDefinitionBuilder): ColumnDefinitionBuilder => column.notNull();
const referencesBatch = (column: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
  column.notNull().references('batches.id').onDelete('cascade');

async function createInitialSchema(database: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  const schema = database.schema;

  await withSequence(schema.createTable('batches'), dialect)
    .addColumn('id', 'text', (column) => column.notNull().unique())
    .addColumn('state', 'text', required)
    .addColumn('created_at', 'text', required)
    .addColumn('config', 'text', required)
    .addColumn('manifest_path', 'text', required)
    .execute();

  await withSequence(schema.createTable('batch_transitions'), dialect)
    .addColumn('batch_id', 'text', referencesBatch)
    .addColumn('from_state', 'text', required)
    .addColumn('to_state', 'text', required)
    .addColumn('event', 'text', required)
    .addColumn('reason', 'text')
    .addColumn('at', 'text', required)
    .execute();
  await schema.createIndex('batch_transitions_by_batch').on('batch_transitions').columns(['batch_id', 'sequence']).execute();

  await schema
    .createTable('batch_tickets')
    .addColumn('batch_id', 'text', referencesBatch)
    .addColumn('ticket_id', 'text', required)
    .addColumn('position', 'integer', required)
    .addColumn('ticket', 'text', required)
    .addPrimaryKeyConstraint('batch_tickets_primary_key', ['batch_id', 'ticket_id'])
    .execute();

  await schema
    .createTable('ticket_runs')
    .addColumn('batch_id', 'text', referencesBatch)
    .addColumn('ticket_id', 'text', required)
    .addColumn('position', 'integer', required)
    .addColumn('state', 'text', required)
    .addColumn('partial', 'integer', required)
    .addColumn('reason', 'text')
    .addColumn('updated_at', 'text', required)
    .addPrimaryKeyConstraint('ticket_runs_primary_key', ['batch_id', 'ticket_id'])
    .execute();

  await withSequence(schema.createTable('run_transitions'), dialect)
    .addColumn('batch_id', 'text', referencesBatch)
    .addColumn('ticket_id', 'text', required)
    .addColumn('from_state', 'text', required)
    .addColumn('to_state', 'text', required)
    .addColumn('event', 'text', required)
    .addColumn('reason', 'text')
    .addColumn('at', 'text', required)
    .execute();
  await schema.createIndex('run_transitions_by_run').on('run_transitions').columns(['batch_id', 'ticket_id', 'sequence']).execute();

  await withSequence(schema.createTable('checkpoints'), dialect)
    .addColumn('batch_id', 'text', referencesBatch)
    .addColumn('ticket_id', 'text', required)
    .addColumn('stage', 'text', required)
    .addColumn('attempt', 'integer', required)
    .addColumn('output', 'text', required)
    .addColumn('usage', 'text', required)
    .addColumn('agent', 'text', required)
    .addColumn('session_id', 'text')
    .addColumn('created_at', 'text', required)
    .execute();
  await schema.createIndex('checkpoints_by_run').on('checkpoints').columns(['batch_id', 'ticket_id', 'sequence']).execute();

  await withSequence(schema.createTable('escalations'), dialect)
    .addColumn('batch_id', 'text', referencesBatch)
    .addColumn('ticket_id', 'text', required)
    .addColumn('trigger', 'text', required)
    .addColumn('question', 'text', required)
    .addColumn('options', 'text', required)
    .addColumn('context', 'text', required)
    .addColumn('created_at', 'text', required)
    .addColumn('answer', 'text')
    .addColumn('answered_at', 'text')
    .addUniqueConstraint('escalations_one_per_trigger', ['batch_id', 'ticket_id', 'trigger'])
    .execute();

  await withSequence(schema.createTable('merge_requests'), dialect)
    .addColumn('batch_id', 'text', referencesBatch)
    .addColumn('ticket_id', 'text', required)
    .addColumn('source_branch', 'text', required)
    .addColumn('target_branch', 'text', required)
    .addColumn('title', 'text', required)
    .addColumn('description', 'text', required)
    .addColumn('host_id', 'text', required)
    .addColumn('url', 'text', required)
    .addColumn('commit_sha', 'text', required)
    .addColumn('created_at', 'text', required)
    .addColumn('quality_score', 'double precision')
    .addColumn('score_breakdown', 'text')
    .addColumn('security_flags', 'text')
    .addColumn('review_summary', 'text')
    .addUniqueConstraint('merge_requests_one_per_ticket', ['batch_id', 'ticket_id'])
    .execute();

  await withSequence(schema.createTable('gate_results'), dialect)
    .addColumn('batch_id', 'text', referencesBatch)
    .addColumn('ticket_id', 'text', required)
    .addColumn('name', 'text', required)
    .addColumn('command', 'text', required)
    .addColumn('status', 'text', required)
    .addColumn('duration_milliseconds', 'double precision', required)
    .addColumn('output_tail', 'text', required)
    .addColumn('commit_sha', 'text', required)
    .addColumn('created_at', 'text', required)
    .execute();
  await schema.createIndex('gate_results_by_run').on('gate_results').columns(['batch_id', 'ticket_id', 'sequence']).execute();
}

/** Who answered an escalation (`nightshift escalations answer --by`); NULL for older answers. */
async function addEscalationAnsweredBy(database: Kysely<unknown>): Promise<void> {
  await database.schema.alterTable('escalations').addColumn('answered_by', 'text').execute();
}

/**
 * Reviewer actions (`nightshift review approve|request-changes|merge`), kept forever as
 * the review's history, and where a stacked MR was retargeted once its parent merged.
 */
async function addReviewActions(database: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  const schema = database.schema;
  await withSequence(schema.createTable('review_actions'), dialect)
    .addColumn('batch_id', 'text', referencesBatch)
    .addColumn('ticket_id', 'text', required)
    .addColumn('action', 'text', required)
    .addColumn('reviewer', 'text', required)
    .addColumn('comment', 'text')
    .addColumn('commit_sha', 'text', required)
    .addColumn('merge_commit_sha', 'text')
    .addColumn('at', 'text', required)
    .execute();
  await schema.createIndex('review_actions_by_ticket').on('review_actions').columns(['batch_id', 'ticket_id', 'sequence']).execute();
  await schema.alterTable('merge_requests').addColumn('retargeted_from', 'text').execute();
  await schema.alterTable('merge_requests').addColumn('retargeted_at', 'text').execute();
}

/** Per-test results, flaky tests, coverage and lint warnings of a check, as JSON; NULL for older results. */
async function addGateResultDetails(database: Kysely<unknown>): Promise<void> {
  await database.schema.alterTable('gate_results').addColumn('details', 'text').execute();
}
