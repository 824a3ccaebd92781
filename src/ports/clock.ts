/** Time comes in through this port so the core stays pure and tests stay exact. */
export interface Clock {
  now(): Date;
}
