export * from './flag-kinds';
export * from './follow-up.view';
export * from './follow-ups.module';
export * from './follow-ups.service';
export { PANEL_SORTS, type PanelSort } from './list-sql';
export {
  dueOnSql,
  localTodaySql,
  planStatusSql,
  ratedPlanFactsSql,
  seenOnSql,
  type PlanStatusSqlInput,
} from './plan-status-sql';
export type { SlotSuggestion } from './slot-suggestions';
