import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addWorkingMinutes, weekMask } from './working-time.js';
import { taskDeadline } from './missed-call.js';
import type { WorkingHours } from './routing.js';

const OFFICE: WorkingHours = {
  timezone: 'Europe/Moscow',
  days: { mon: ['09:00-18:00'], tue: ['09:00-18:00'], wed: ['09:00-18:00'], thu: ['09:00-18:00'], fri: ['09:00-18:00'] },
};
/** Moscow is UTC+3 all year. */
const msk = (y: number, mo: number, d: number, h: number, mi = 0): number => Date.UTC(y, mo - 1, d, h - 3, mi);
const iso = (ms: number | undefined): string => (ms === undefined ? 'none' : new Date(ms).toISOString());

test('a deadline in working minutes: within the day, over the evening, over the weekend', () => {
  // 2026-11-24 is a Tuesday.
  assert.equal(iso(addWorkingMinutes(msk(2026, 11, 24, 10), 60, OFFICE)), iso(msk(2026, 11, 24, 11)));
  assert.equal(iso(addWorkingMinutes(msk(2026, 11, 24, 17, 30), 60, OFFICE)), iso(msk(2026, 11, 25, 9, 30)), 'half today, half tomorrow');
  assert.equal(iso(addWorkingMinutes(msk(2026, 11, 24, 7), 60, OFFICE)), iso(msk(2026, 11, 24, 10)), 'before opening: from 09:00');
  // Friday 19:55 → Monday 10:00.
  assert.equal(iso(addWorkingMinutes(msk(2026, 11, 27, 19, 55), 60, OFFICE)), iso(msk(2026, 11, 30, 10)));
  // Two working days of minutes from Friday 12:00: Friday 6 h + Monday 9 h + Tuesday 3 h.
  assert.equal(iso(addWorkingMinutes(msk(2026, 11, 27, 12), 18 * 60, OFFICE)), iso(msk(2026, 12, 1, 12)));
  // Seconds are rounded up to the next minute first.
  assert.equal(iso(addWorkingMinutes(msk(2026, 11, 24, 10) + 10_000, 1, OFFICE)), iso(msk(2026, 11, 24, 10, 2)));
});

test('ranges across midnight, a closed schedule, a DST change', () => {
  const night: WorkingHours = { timezone: 'Europe/Moscow', days: { sat: ['22:00-02:00'] } };
  assert.equal(iso(addWorkingMinutes(msk(2026, 11, 28, 12), 180, night)), iso(msk(2026, 11, 29, 1)), 'Sat 22:00 + 3 h = Sun 01:00');
  assert.equal(weekMask(night).reduce((a, b) => a + b, 0), 240);
  assert.equal(addWorkingMinutes(0, 60, { timezone: 'UTC', days: {} }), undefined);
  // Berlin, 29 March 2026: 02:00 CET → 03:00 CEST. Elapsed time counts: 01:00 CET + 3 h = 05:00 CEST.
  const allDay: WorkingHours = { timezone: 'Europe/Berlin', days: { sun: ['00:00-24:00'] } };
  assert.equal(iso(addWorkingMinutes(Date.UTC(2026, 2, 29, 0), 180, allDay)), '2026-03-29T03:00:00.000Z');
});

test('a task deadline: working time when a schedule is given, else calendar time', () => {
  const endedAt = msk(2026, 11, 27, 19, 55);
  assert.equal(iso(taskDeadline({ endedAt, deadlineMinutes: 60 })), iso(msk(2026, 11, 27, 20, 55)));
  assert.equal(iso(taskDeadline({ endedAt, deadlineMinutes: 60, workingHours: OFFICE })), iso(msk(2026, 11, 30, 10)));
  assert.equal(iso(taskDeadline({ endedAt, deadlineMinutes: 60, workingHours: { timezone: 'UTC', days: {} } })), iso(msk(2026, 11, 27, 20, 55)), 'a schedule with no open minute: calendar time');
});
