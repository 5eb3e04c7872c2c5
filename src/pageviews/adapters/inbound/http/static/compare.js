// Compare view: up to ten articles of one wiki over one range, as a chart, a table of totals (each row
// linking to the same data as CSV and JSON) and, for those who cannot see the chart, every period in a table.

import { Failure, getJson, seriesUrl, wikiUrl } from "./api.js";
import { displayTitle, el, number, periodLabel, sentence } from "./format.js";
import { drawLines, lineOf, peakOf } from "./lines.js";
import { RangeControls, rangeOf } from "./range.js";
import { MAX_ARTICLES, toHash } from "./state.js";

const $ = (id) => document.getElementById(id);
const AGENTS = { user: "people", "all-agents": "everyone, bots too", spider: "search engine spiders", automated: "automated traffic" };
const PLATFORMS = { "all-access": "all platforms", desktop: "desktop", "mobile-web": "mobile web", "mobile-app": "mobile app" };

let range;
let shown = 0;

export function setup(navigate) {
  range = new RangeControls();
  $("compare-form").addEventListener("submit", (event) => {
    event.preventDefault();
    navigate(readForm());
  });
}

function readForm() {
  const articles = [...new Set($("articles").value.split("\n").map((line) => line.trim()).filter(Boolean))];
  return {
    view: "compare",
    project: $("project").value.trim(),
    articles,
    ...range.read(),
    access: $("access").value,
    agent: $("agent").value,
    redirects: $("redirects").value,
  };
}

function fillForm(state) {
  $("articles").value = state.articles.join("\n");
  $("project").value = state.project;
  range.show(state);
  $("access").value = state.access;
  $("agent").value = state.agent;
  $("redirects").value = state.redirects;
}

export async function show(state) {
  const run = ++shown;
  fillForm(state);
  const errors = $("compare-errors");
  const results = $("compare-results");
  errors.replaceChildren();
  $("compare-intro").hidden = state.articles.length > 0;
  if (!state.articles.length) {
    results.hidden = true;
    $("compare-status").textContent = "";
    return;
  }
  if (state.articles.length > MAX_ARTICLES) {
    results.hidden = true;
    errors.append(el("p", {}, `Compare at most ${MAX_ARTICLES} articles at once; ${state.articles.length} were given.`));
    return;
  }
  const query = { ...rangeOf(state), access: state.access, agent: state.agent, redirects: state.redirects };
  results.setAttribute("aria-busy", "true");
  $("compare-status").textContent = `Asking for ${state.articles.length === 1 ? "one article" : `${state.articles.length} articles`}…`;
  const answers = await Promise.all(
    state.articles.map((article) =>
      getJson(seriesUrl(state.project, article, query)).then(
        (series) => ({ article, series }),
        (error) => ({ article, error: error instanceof Failure ? error.message : sentence(String(error)) }),
      ),
    ),
  );
  if (run !== shown) return; // a newer question was asked meanwhile
  results.removeAttribute("aria-busy");
  for (const { article, error } of answers.filter((answer) => answer.error)) {
    errors.append(el("p", {}, el("strong", {}, displayTitle(article)), `: ${error}`));
  }
  const found = answers.filter((answer) => answer.series);
  $("compare-status").textContent = "";
  results.hidden = found.length === 0;
  if (found.length) render(found, query);
}

function render(found, query) {
  const labels = [...new Set(found.flatMap(({ series }) => series.items.map((item) => item.period)))].sort();
  const unit = query.granularity === "daily" ? "day" : "month";
  const what = `${query.granularity} views of ${found.map(({ series }) => displayTitle(series.article)).join(", ")}`;
  const span = `${periodLabel(query.from, true)} to ${periodLabel(query.to, true)}`;
  const canvas = $("compare-chart");
  canvas.setAttribute("aria-label", `Line chart of the ${what}, ${span}. The tables below have the numbers.`);
  try {
    drawLines(canvas, found, labels);
  } catch (error) {
    $("compare-errors").append(el("p", {}, `The chart could not be drawn (${error.message}); the tables below have the numbers.`));
  }
  const incomplete = found.some(({ series }) => series.items.some((item) => !item.complete));
  const stale = found.some(({ series }) => series.stale);
  $("compare-caption").replaceChildren(
    `${sentence(`${query.granularity} views, ${span}, by ${AGENTS[query.agent] ?? query.agent} on ${PLATFORMS[query.access] ?? query.access}`)} `,
    el("span", { className: "key" }, "◆ marks each article's peak."),
    incomplete ? el("span", { className: "key" }, " A dashed line is not final yet: Wikimedia may still be counting those periods.") : "",
    stale ? " Some numbers were kept from earlier: Wikimedia could not be asked just now." : "",
    ...found.flatMap(({ series }) => (series.notices ?? []).map((notice) => el("span", { className: "key" }, `${displayTitle(series.article)}: ${sentence(notice.detail)}`))),
  );
  renderTotals(found, query, unit);
  renderPeriods(found, labels);
}

function renderTotals(found, query, unit) {
  $("compare-average-heading").textContent = `Per ${unit}`;
  const rows = found.map(({ article, series }, index) => {
    const peak = peakOf(series);
    const average = series.items.length ? Math.round(series.total / series.items.length) : 0;
    const redirected = series.page?.redirected_from
      ? el("span", { className: "redirected" }, `redirected from ${displayTitle(series.page.redirected_from)}`)
      : null;
    const others = (series.page?.titles ?? []).filter((counted) => counted.redirect);
    const included = others.length
      ? el("span", { className: "redirected" }, `with ${others.length === 1 ? "1 redirect" : `${others.length} redirects`}${series.page.truncated ? " (the first ones)" : ""}`)
      : null;
    return el(
      "tr",
      {},
      el(
        "th",
        { scope: "row", className: "article" },
        el("span", { className: `swatch s${index % 10}`, "aria-hidden": "true" }),
        el("a", { href: wikiUrl(series.project, series.page?.title ?? series.article) }, displayTitle(series.page?.title ?? series.article)),
        redirected,
        included,
      ),
      el("td", { className: "n", "data-value": series.total }, number(series.total)),
      el("td", { className: "n optional" }, number(average)),
      el("td", { className: "n peak" }, peak ? `${number(peak.views)} on ${periodLabel(peak.period, true)}` : "–"),
      el(
        "td",
        { className: "links" },
        el("a", { href: seriesUrl(series.project, article, query, "csv"), "data-format": "csv" }, "CSV"),
        el("a", { href: seriesUrl(series.project, article, query, "json"), "data-format": "json" }, "JSON"),
        el("a", { href: languagesLink(series, query) }, "Languages"),
      ),
    );
  });
  $("compare-totals").tBodies[0].replaceChildren(...rows);
  const sum = found.reduce((total, { series }) => total + series.total, 0);
  $("compare-totals").tFoot.replaceChildren(
    found.length > 1
      ? el("tr", {}, el("th", { scope: "row" }, `All ${found.length} articles`), el("td", { className: "n", "data-value": sum }, number(sum)), el("td", { className: "optional" }), el("td", { colspan: 2 }))
      : "",
  );
}

function languagesLink(series, query) {
  const { granularity, from, to } = query;
  return toHash({ view: "langviews", project: series.project, article: series.article, range: "custom", granularity, from, to, access: query.access, agent: query.agent });
}

function renderPeriods(found, labels) {
  const table = $("compare-periods");
  table.tHead.replaceChildren(
    el("tr", {}, el("th", { scope: "col", className: "left" }, "Period"), ...found.map(({ series }) => el("th", { scope: "col" }, displayTitle(series.article)))),
  );
  const lines = found.map(({ series }) => lineOf(series, labels));
  const rows = labels.map((label, row) =>
    el(
      "tr",
      {},
      el("th", { scope: "row" }, label),
      ...lines.map((line) =>
        el(
          "td",
          { className: "n" },
          line.data[row] === null ? "–" : number(line.data[row]),
          line.incomplete[row] ? el("span", { className: "not-final" }, " not final") : "",
        ),
      ),
    ),
  );
  table.tBodies[0].replaceChildren(...rows);
}
