// Numbers, periods and messages as people read them. Tables keep the API's own period forms (YYYY-MM,
// YYYY-MM-DD): they sort, and they are what the CSV says.

const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const short = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });
const day = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: "UTC" });
const longDay = new Intl.DateTimeFormat(undefined, {
  weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC",
});
const month = new Intl.DateTimeFormat(undefined, { month: "short", year: "numeric", timeZone: "UTC" });
const longMonth = new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric", timeZone: "UTC" });

export const number = (n) => whole.format(n);
export const compact = (n) => short.format(n);

/** `2024-01-05` as "5 Jan" (or "Fri, 5 Jan 2024" when `long`), `2024-01` as "Jan 2024". */
export function periodLabel(period, long = false) {
  if (period.length === 10) return (long ? longDay : day).format(new Date(`${period}T00:00:00Z`));
  return (long ? longMonth : month).format(new Date(`${period}-01T00:00:00Z`));
}

/** A title as the wiki shows it: underscores are spaces. */
export const displayTitle = (title) => title.replaceAll("_", " ");

/** A problem's detail as a sentence: a capital first letter and a full stop. */
export function sentence(text) {
  const trimmed = String(text).trim();
  if (!trimmed) return "Something went wrong.";
  const first = trimmed[0].toLocaleUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/** An element with its attributes and children (strings become text, never HTML). */
export function el(name, attributes = {}, ...children) {
  const node = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "className") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined));
  return node;
}
