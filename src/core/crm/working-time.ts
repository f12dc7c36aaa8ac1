/**
 * Working time: `addWorkingMinutes(from, n, hours)` is the moment when `n` minutes of the schedule
 * (agi.workingHours: IANA zone, day → "HH:MM-HH:MM" ranges, a range may cross midnight) have passed
 * after `from`. A missed call at 19:55 on a Friday with a 60-minute task deadline and 09:00–18:00
 * working days is due at 10:00 on Monday, not at 20:55 on Friday. Pure: the local time comes from
 * Intl, read again at each opening and closing, so DST changes are followed.
 */
import { localTime, parseRange, WEEKDAYS, type WorkingHours } from './routing.js';

const DAY = 1440;
const WEEK = 7 * DAY;

/** The week as open minutes, index = weekday (sun = 0) × 1440 + minute of the day. */
export function weekMask(hours: WorkingHours): Uint8Array {
  const open = new Uint8Array(WEEK);
  WEEKDAYS.forEach((day, d) => {
    for (const r of hours.days[day] ?? []) {
      const [start, end] = parseRange(r);
      const from = d * DAY + start;
      const to = start <= end ? d * DAY + end : (d + 1) * DAY + end;
      for (let m = from; m < to; m++) open[m % WEEK] = 1;
    }
  });
  return open;
}

/** Minutes from `at` (minute of the week) until the mask changes; WEEK when it never does. */
function runLength(mask: Uint8Array, at: number): number {
  const state = mask[at];
  for (let n = 1; n < WEEK; n++) if (mask[(at + n) % WEEK] !== state) return n;
  return WEEK;
}

/**
 * The moment `minutes` working minutes after `fromMs` (rounded up to the next whole minute first).
 * Undefined when the schedule has no open minute (the caller falls back to calendar time).
 */
export function addWorkingMinutes(fromMs: number, minutes: number, hours: WorkingHours, mask = weekMask(hours)): number | undefined {
  if (!mask.includes(1)) return undefined;
  let t = Math.ceil(fromMs / 60_000) * 60_000;
  let left = Math.max(0, minutes);
  // Enough for any schedule with one open minute a week, plus DST slack.
  for (let hops = 0; hops < 64; hops++) {
    const { day, minute } = localTime(t, hours.timezone);
    const at = WEEKDAYS.indexOf(day) * DAY + minute;
    const run = runLength(mask, at);
    if (mask[at] === 1) {
      if (left <= run) return t + left * 60_000;
      left -= run;
    }
    t += run * 60_000;
  }
  return undefined;
}
