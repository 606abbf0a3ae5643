export * from './clock';
export * from './errors';
export * from './iso';
export {
  addDays,
  addYears,
  daysBetween,
  fromDayNumber,
  isoWeekdayOfDay,
  toDayNumber,
} from './calendar-date';
export { ianaZone, localDateOf, parseLocalTime } from './local-time';
export * from './roles';
export * from './working-time';
export * from './slots';
export * from './cadence';
export * from './plan-status';
export * from './recurrence';
export * from './lifecycle';
export * from './quiet-hours';
export * from './booking-rules';
export * from './zones';
