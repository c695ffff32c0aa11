/**
 * The pure core of the reports (docs/reports.md): KPI definitions and their streaming
 * accumulators over call records (kpi.ts), local report intervals (intervals.ts), occupancy from
 * the agent state log (occupancy.ts), and Erlang C staffing (erlang-c.ts). No I/O and no clock:
 * the HTTP routes and exports feed rows in and format what comes out.
 */
export * from './erlang-c.ts';
export * from './kpi.ts';
export * from './intervals.ts';
export * from './occupancy.ts';
