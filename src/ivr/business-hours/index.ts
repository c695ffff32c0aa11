/**
 * Business hours for the IVR (../shared/spec/ivr.md, "Business hours"): schedules, their
 * validator, and `isOpen`. Pure. Storage and the admin API keep schedules by id
 * (storage/repositories/ivr-schedules.ts, http/ivr-admin-routes.ts); the engine asks a
 * `ScheduleBook` (schedule-book.ts) synchronously.
 */
export { ALWAYS_OPEN_SCHEDULE, SCHEDULE_LIMITS, WEEKDAYS, isCalendarDate, isTimeZone, minutesOf, validateSchedule, type Holiday, type Schedule, type ScheduleValidation, type TimeRange, type Weekday } from './schedule.ts';
export { instantOf, isOpen, localTime, type OpenReason, type OpenState } from './is-open.ts';
export { ScheduleBook, type ScheduleEntry, type ScheduleSource } from './schedule-book.ts';
