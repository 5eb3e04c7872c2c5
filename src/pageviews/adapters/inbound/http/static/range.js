// The range controls shared by the views that take one (compare, languages): a preset or custom dates, in
// daily or monthly granularity, the date inputs switching between day and month pickers.

import { inGranularity, preset } from "./dates.js";

/** The range a state names: a preset's dates as of today, or the custom ones. */
export function rangeOf(state) {
  if (state.range !== "custom") return preset(state.range);
  const granularity = state.granularity === "monthly" ? "monthly" : "daily";
  const fallback = preset(granularity === "monthly" ? "last-12-months" : "last-30-days");
  return { granularity, from: state.from || fallback.from, to: state.to || state.from || fallback.to };
}

export class RangeControls {
  constructor(prefix = "") {
    const find = (name) => document.getElementById(`${prefix}${name}`);
    this.range = find("range");
    this.granularity = find("granularity");
    this.from = find("from");
    this.to = find("to");
    this.custom = [this.from, this.to].map((input) => input.closest("[data-custom]"));
    this.range.addEventListener("change", () => this.presetChosen());
    this.granularity.addEventListener("change", () => this.granularityChosen());
  }

  /** What the controls say, as state fields. */
  read() {
    const custom = this.range.value === "custom";
    return {
      range: this.range.value,
      granularity: custom ? this.granularity.value : "",
      from: custom ? this.from.value : "",
      to: custom ? this.to.value : "",
    };
  }

  show(state) {
    this.range.value = state.range === "last-12-months" || state.range === "custom" ? state.range : "last-30-days";
    this.setDates(rangeOf({ ...state, range: this.range.value }));
  }

  presetChosen() {
    const custom = this.range.value === "custom";
    if (!custom) this.setDates(preset(this.range.value));
    else this.setDates(this.current());
  }

  granularityChosen() {
    const wanted = this.granularity.value;
    const current = this.current();
    this.range.value = "custom";
    this.setDates(inGranularity(current, wanted));
  }

  /** The dates shown now, in the granularity they were shown in. */
  current() {
    const granularity = this.from.type === "month" ? "monthly" : "daily";
    const fallback = preset(granularity === "monthly" ? "last-12-months" : "last-30-days");
    return { granularity, from: this.from.value || fallback.from, to: this.to.value || fallback.to };
  }

  setDates({ granularity, from, to }) {
    const type = granularity === "monthly" ? "month" : "date";
    for (const [input, value] of [[this.from, from], [this.to, to]]) {
      input.type = type;
      input.min = type === "month" ? "2015-07" : "2015-07-01";
      input.value = value;
    }
    this.granularity.value = granularity;
    const custom = this.range.value === "custom";
    this.custom.forEach((field) => { field.hidden = !custom; });
  }
}
