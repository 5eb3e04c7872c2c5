// Languages view: one article in every language of its family, from the wiki's language links, each with
// its views over one range; a bar chart of the most read, and every language in a table.

import { getJson, langviewsUrl, wikiUrl } from "./api.js";
import { compact, displayTitle, el, number, periodLabel, sentence } from "./format.js";
import { seriesColour } from "./lines.js";
import { RangeControls, rangeOf } from "./range.js";

const $ = (id) => document.getElementById(id);
const CHARTED = 20;
const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });
let range;
let shown = 0;

export function setup(navigate) {
  range = new RangeControls("lv-");
  $("langviews-form").addEventListener("submit", (event) => {
    event.preventDefault();
    navigate({
      view: "langviews",
      project: $("lv-project").value.trim(),
      article: $("lv-article").value.trim(),
      ...range.read(),
      access: $("lv-access").value,
      agent: $("lv-agent").value,
    });
  });
}

export async function show(state) {
  const run = ++shown;
  $("lv-article").value = state.article;
  $("lv-project").value = state.project;
  range.show(state);
  $("lv-access").value = state.access;
  $("lv-agent").value = state.agent;
  const errors = $("langviews-errors");
  const results = $("langviews-results");
  errors.replaceChildren();
  if (!state.article) {
    results.hidden = true;
    $("langviews-status").textContent = "Type an article's title to see it in every language.";
    return;
  }
  const query = { ...rangeOf(state), access: state.access, agent: state.agent };
  results.setAttribute("aria-busy", "true");
  $("langviews-status").textContent = "Asking every language…";
  let answer;
  try {
    answer = await getJson(langviewsUrl(state.project, state.article, query));
  } catch (error) {
    if (run !== shown) return;
    results.hidden = true;
    results.removeAttribute("aria-busy");
    $("langviews-status").textContent = "";
    errors.append(el("p", {}, el("strong", {}, displayTitle(state.article)), `: ${error.message}`));
    return;
  }
  if (run !== shown) return;
  results.removeAttribute("aria-busy");
  const counted = answer.languages.filter((row) => row.views !== null);
  const span = `${periodLabel(answer.from, true)} to ${periodLabel(answer.to, true)}`;
  const redirected = answer.redirected_from ? ` (redirected from ${displayTitle(answer.redirected_from)})` : "";
  $("langviews-status").replaceChildren(
    `${displayTitle(answer.article)}${redirected} in ${counted.length} ${counted.length === 1 ? "language" : "languages"}, ${span}: ${number(answer.total)} views. The same as `,
    el("a", { href: langviewsUrl(state.project, state.article, query, "csv"), "data-format": "csv" }, "CSV"),
    " or ",
    el("a", { href: langviewsUrl(state.project, state.article, query, "json"), "data-format": "json" }, "JSON"),
    ".",
  );
  for (const row of answer.languages.filter((row) => row.problem)) {
    errors.append(el("p", {}, el("strong", {}, `${row.lang} (${displayTitle(row.title)})`), `: ${sentence(row.problem.detail || row.problem.title)}`));
  }
  drawBars(counted.slice(0, CHARTED), answer, span);
  renderTable(answer);
  results.hidden = false;
}

function drawBars(rows, answer, span) {
  const canvas = $("langviews-chart");
  canvas.setAttribute("aria-label", `Bar chart of the views of ${displayTitle(answer.article)} in its ${rows.length} most read languages, ${span}. The table below has every language.`);
  $("langviews-caption").textContent = rows.length < answer.languages.length ? `The ${rows.length} most read languages; the table has them all.` : "";
  window.Chart.getChart(canvas)?.destroy();
  const colour = seriesColour(0);
  new window.Chart(canvas, {
    type: "bar",
    data: { labels: rows.map((row) => row.lang), datasets: [{ label: "Views", data: rows.map((row) => row.views), backgroundColor: colour, borderRadius: 3 }] },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : { duration: 350 },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { title: (items) => items.length ? `${rows[items[0].dataIndex].lang}: ${displayTitle(rows[items[0].dataIndex].title)}` : "", label: (item) => `${number(item.raw)} views` } },
      },
      scales: { x: { grid: { display: false } }, y: { beginAtZero: true, ticks: { callback: (value) => compact(value) } } },
    },
  });
}

function renderTable(answer) {
  const rows = answer.languages.map((row) =>
    el(
      "tr",
      {},
      el("td", {}, row.lang, el("span", { className: "redirected" }, row.project)),
      el("th", { scope: "row", className: "article" }, el("a", { href: wikiUrl(row.project, row.title) }, displayTitle(row.title))),
      el("td", { className: "n", "data-value": row.views ?? "" }, row.views === null ? "not counted" : number(row.views)),
      el("td", { className: "n" }, row.views === null || !answer.total ? "–" : percent.format(row.views / answer.total)),
    ),
  );
  $("langviews-table").tBodies[0].replaceChildren(...rows);
  $("langviews-table").tFoot.replaceChildren(
    el("tr", {}, el("th", { scope: "row", colspan: 2 }, "Every language"), el("td", { className: "n", "data-value": answer.total }, number(answer.total)), el("td")),
  );
}
