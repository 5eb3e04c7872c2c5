// Dates in UTC, as Wikimedia counts them: the presets, and the forms a range takes in each granularity.

export const DATA_START_DAY = "2015-07-01";
const DAY_MS = 86_400_000;

export function todayUtc(now = new Date()) {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export const isoDay = (date) => date.toISOString().slice(0, 10);
export const isoMonth = (date) => date.toISOString().slice(0, 7);
const addDays = (date, days) => new Date(date.getTime() + days * DAY_MS);
const addMonths = (date, months) => new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));

export function lastDayOf(yearMonth) {
  const [year, month] = yearMonth.split("-").map(Number);
  return isoDay(new Date(Date.UTC(year, month, 0)));
}

/** The 30 days up to yesterday (today has barely begun), or the 12 months up to this one. */
export function preset(name, today = todayUtc()) {
  if (name === "last-12-months") {
    return { granularity: "monthly", from: isoMonth(addMonths(today, -11)), to: isoMonth(today) };
  }
  const to = addDays(today, -1);
  return { granularity: "daily", from: isoDay(addDays(to, -29)), to: isoDay(to) };
}

/** The same range in the other granularity: whole months, or the days of those months (not past yesterday). */
export function inGranularity(range, granularity, today = todayUtc()) {
  if (granularity === range.granularity) return range;
  if (granularity === "monthly") {
    return { granularity, from: range.from.slice(0, 7), to: range.to.slice(0, 7) };
  }
  const yesterday = isoDay(addDays(today, -1));
  const to = lastDayOf(range.to) < yesterday ? lastDayOf(range.to) : yesterday;
  return { granularity, from: `${range.from}-01`, to };
}

/** The latest month a top list can exist for: complete once its last day has settled (48 h, by default). */
export function lastCompleteMonth(today = todayUtc()) {
  return isoMonth(addMonths(today, today.getUTCDate() >= 3 ? -1 : -2));
}
