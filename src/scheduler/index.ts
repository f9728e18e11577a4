/** Recurring schedules: spec parsing, fire planning and the `Scheduler` loop. */
export { Scheduler, SCHEDULER_LEASE, type SchedulerOptions, type TickResult, type FiredJob } from './scheduler.js';
export {
  parseSchedule,
  nextFireTimes,
  nextFireTime,
  previousFireTimes,
  previewSchedule,
  DEFAULT_SCHEDULE_TIMEZONE,
  type ScheduleSpec,
} from './spec.js';
export { planFires, MISFIRE_POLICIES, type MisfirePolicy, type FirePlan } from './plan.js';
export {
  scheduledJobId,
  scheduledJobKey,
  validateScheduleName,
  validateTemplate,
  type ScheduleTemplate,
} from './template.js';
export { scheduleToJson, type ScheduleInfo, type ScheduleJson } from './json.js';
