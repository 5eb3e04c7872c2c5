// The comparison's line chart, drawn by Chart.js (vendored; loaded before this module as the global
// `Chart`): one line per article over the same periods, each article's peak marked with a diamond and its
// number, and the periods whose counts are not final yet drawn dashed with hollow points.

import { compact, displayTitle, number, periodLabel } from "./format.js";

export const seriesColour = (index) =>
  getComputedStyle(document.documentElement).getPropertyValue(`--series-${index % 10}`).trim();

/** Where the numbers are, for each article: its views per label (null where it has no count). */
export function lineOf(series, labels) {
  const byPeriod = new Map(series.items.map((item) => [item.period, item]));
  const data = labels.map((label) => byPeriod.get(label)?.views ?? null);
  const incomplete = labels.map((label) => byPeriod.get(label)?.complete === false);
  return { data, incomplete, peakIndex: labels.indexOf(peakOf(series)?.period) };
}

/** The API's peak for a daily series; for a monthly one, the month with most views (the earliest of equals). */
export function peakOf(series) {
  if (series.peak) return series.peak;
  return series.items.reduce((best, item) => (best === null || item.views > best.views ? item : best), null);
}

const peakLabels = {
  id: "peakLabels",
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    chart.data.datasets.forEach((dataset, index) => {
      const point = chart.getDatasetMeta(index).data[dataset.peakIndex];
      if (!point || !chart.isDatasetVisible(index)) return;
      ctx.save();
      ctx.font = "600 12px system-ui, sans-serif";
      ctx.fillStyle = dataset.borderColor;
      ctx.textAlign = "center";
      ctx.fillText(compact(dataset.data[dataset.peakIndex]), point.x, Math.max(point.y - 11, 12));
      ctx.restore();
    });
  },
};

export function drawLines(canvas, answers, labels) {
  window.Chart.getChart(canvas)?.destroy();
  const many = labels.length > 45;
  const datasets = answers.map(({ series }, index) => {
    const colour = seriesColour(index);
    const { data, incomplete, peakIndex } = lineOf(series, labels);
    return {
      label: displayTitle(series.article),
      data,
      incomplete,
      peakIndex,
      borderColor: colour,
      backgroundColor: colour,
      borderWidth: 2,
      tension: 0.15,
      spanGaps: false,
      pointStyle: (context) => (context.dataIndex === peakIndex ? "rectRot" : "circle"),
      pointRadius: (context) => (context.dataIndex === peakIndex ? 6 : many ? 0 : 2.5),
      pointHoverRadius: 5,
      pointBackgroundColor: (context) => (incomplete[context.dataIndex] ? "#ffffff" : colour),
      segment: { borderDash: (context) => (incomplete[context.p1DataIndex] ? [6, 4] : undefined) },
    };
  });
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  return new window.Chart(canvas, {
    type: "line",
    data: { labels, datasets },
    plugins: [peakLabels],
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: reduceMotion ? false : { duration: 350 },
      interaction: { mode: "index", intersect: false },
      scales: {
        x: {
          grid: { display: false },
          ticks: {
            maxRotation: 0,
            autoSkipPadding: 14,
            callback(value) {
              return periodLabel(this.getLabelForValue(value));
            },
          },
        },
        y: { beginAtZero: true, grace: "8%", ticks: { callback: (value) => compact(value) } },
      },
      plugins: {
        legend: { position: "bottom", labels: { usePointStyle: true, boxHeight: 8, padding: 16 } },
        tooltip: {
          callbacks: {
            title: (items) => (items.length ? periodLabel(items[0].label, true) : ""),
            label(item) {
              const { dataset, dataIndex, raw } = item;
              const notes = [
                dataset.incomplete[dataIndex] ? "not final" : "",
                dataIndex === dataset.peakIndex ? "peak" : "",
              ].filter(Boolean);
              return `${dataset.label}: ${number(raw)}${notes.length ? ` (${notes.join(", ")})` : ""}`;
            },
          },
        },
      },
    },
  });
}
