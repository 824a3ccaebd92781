import { orderByDependencies } from '../src/domain/batch-plan.js';
import type { SchedulerTicket } from '../src/domain/ticket-scheduler.js';
import { COMPLEXITIES, PRIORITIES, type Complexity, type Ticket } from '../src/domain/ticket.js';
import type { SeededRandom } from './seeded-random.js';

/**
 * How tickets depend on each other. `uniform`: each ticket depends on earlier tickets
 * drawn from the whole backlog (wide, shallow graphs); `local`: on tickets among the
 * few written just before it (long chains, where the order of starts matters most).
 */
export const GRAPH_SHAPES = ['uniform', 'local'] as const;
export type GraphShape = (typeof GRAPH_SHAPES)[number];

/** Expected number of dependencies per ticket, by density name. */
export const GRAPH_DENSITIES = { none: 0, sparse: 0.5, medium: 1.5, dense: 3 } as const;
export type GraphDensity = keyof typeof GRAPH_DENSITIES;

/** How many earlier tickets a `local` ticket may depend on. */
const LOCAL_WINDOW = 6;

/** Share of small, medium and large tickets in a generated backlog. */
const COMPLEXITY_SHARES: Record<Complexity, number> = { small: 0.4, medium: 0.4, large: 0.2 };

/** Relative true effort by complexity before the random factor; the same scale the scheduler estimates with. */
const TRUE_EFFORT: Record<Complexity, number> = { small: 1, medium: 2, large: 4 };

/** A ticket of a simulated batch: what the scheduler sees, plus the true duration it does not. */
export interface SimulatedTicket extends SchedulerTicket {
  complexity: Complexity;
  /** How long an agent really takes on it, in arbitrary time units. */
  duration: number;
}

export interface BatchGraph {
  shape: GraphShape;
  density: GraphDensity;
  /** In manifest order, as intake would write it (dependencies first, then priority, age, id). */
  tickets: SimulatedTicket[];
}

export interface BatchGraphRequest {
  ticketCount: number;
  shape: GraphShape;
  density: GraphDensity;
  /** The true duration is the complexity's effort times a factor drawn in [1 − spread, 1 + spread]. */
  durationSpread: number;
}

/**
 * A random batch: tickets written in order, dependencies only on earlier ones (so the
 * graph has no cycle), random priorities and complexities, and true durations that
 * differ from the complexity estimate by a random factor. The manifest order comes from
 * the real intake ordering, so "FIFO" is what Nightshift would do without a scheduler.
 */
export function generateBatchGraph(random: SeededRandom, request: BatchGraphRequest): BatchGraph {
  const expectedDependencies = GRAPH_DENSITIES[request.density];
  const written: SimulatedTicket[] = [];
  for (let index = 0; index < request.ticketCount; index += 1) {
    const pool = request.shape === 'local' ? written.slice(Math.max(0, index - LOCAL_WINDOW)) : written;
    const probability = pool.length === 0 ? 0 : Math.min(1, expectedDependencies / pool.length);
    const complexity = random.pick(COMPLEXITIES, COMPLEXITIES.map((name) => COMPLEXITY_SHARES[name]));
    written.push({
      id: `T-${String(index + 1).padStart(3, '0')}`,
      priority: random.pick(PRIORITIES),
      complexity,
      dependencies: pool.filter(() => random.next() < probability).map((ticket) => ticket.id),
      duration: TRUE_EFFORT[complexity] * random.between(1 - request.durationSpread, 1 + request.durationSpread),
    });
  }
  const byId = new Map(written.map((ticket) => [ticket.id, ticket]));
  const manifestOrder = orderByDependencies(written.map((ticket, index) => asTicket(ticket, index)));
  return { shape: request.shape, density: request.density, tickets: manifestOrder.map((ticket) => byId.get(ticket.id) as SimulatedTicket) };
}

/** The simulated ticket as intake's ordering needs it; created one minute apart, in writing order. */
function asTicket(ticket: SimulatedTicket, index: number): Ticket {
  return {
    id: ticket.id,
    title: ticket.id,
    labels: [],
    priority: ticket.priority,
    complexity: ticket.complexity,
    estimatedFiles: [],
    dependencies: [...ticket.dependencies],
    createdAt: new Date(Date.UTC(2024, 0, 1) + index * 60_000).toISOString(),
    body: '',
    acceptanceCriteria: [],
    openQuestions: [],
    testCases: [],
    readinessChecklist: [],
    sourceReference: ticket.id,
  };
}

/**
 * The makespan no schedule can beat: the longest chain of true durations, or all the
 * work spread perfectly over the agents, whichever is longer.
 */
export function makespanLowerBound(tickets: readonly SimulatedTicket[], parallelAgents: number): number {
  const finish = new Map<string, number>();
  for (const ticket of tickets) {
    const ready = Math.max(0, ...ticket.dependencies.map((dependency) => finish.get(dependency) ?? 0));
    finish.set(ticket.id, ready + ticket.duration);
  }
  const criticalPath = Math.max(0, ...finish.values());
  const totalWork = tickets.reduce((sum, ticket) => sum + ticket.duration, 0);
  return Math.max(criticalPath, totalWork / parallelAgents);
}
