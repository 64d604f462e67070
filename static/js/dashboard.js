// The dashboard's charts (Chart.js, served from static/vendor) and its live feed.
// Figures arrive as JSON in <script id="chart-data">; nothing is fetched for charts.
"use strict";

const CHANNEL_FALLBACK = "#94a3b8";

function readChartData() {
  const node = document.getElementById("chart-data");
  return node ? JSON.parse(node.textContent) : null;
}

function channelName(palette, channel) {
  return palette.labels[channel] || channel;
}

function drawCharts(data) {
  if (!window.Chart || !data) return;
  const { palette } = data;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#5a6272";
  const dark = new Set(palette.dark_channels);
  const shortDay = (day) => {
    const [, month, date] = day.split("-");
    return `${Number(date)} ${["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][Number(month) - 1]}`;
  };

  const series = document.getElementById("chart-series");
  if (series) {
    const channels = data.series;
    new Chart(series, {
      type: "bar",
      data: {
        labels: data.days.map(shortDay),
        datasets: channels.map(([channel, counts]) => ({
          label: channelName(palette, channel),
          data: counts,
          backgroundColor: palette.colours[channel] || CHANNEL_FALLBACK,
          borderRadius: 3,
          maxBarThickness: 28,
        })),
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: true, grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, grid: { color: "#eef0f4" } },
        },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12, boxHeight: 12, usePointStyle: true } },
        },
      },
    });
    series.dataset.drawn = "true";
  }

  const darkChart = document.getElementById("chart-dark");
  if (darkChart) {
    const publicClicks = data.clicks - data.dark;
    // Each slice's share in its label, so the split reads without hovering.
    const share = (part) => (data.clicks ? `${((100 * part) / data.clicks).toFixed(1)} %` : "–");
    new Chart(darkChart, {
      type: "doughnut",
      data: {
        labels: [`Dark social ${share(data.dark)}`, `Public ${share(publicClicks)}`],
        datasets: [{ data: [data.dark, publicClicks], backgroundColor: [palette.dark, palette.public], borderWidth: 2 }],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        cutout: "62%",
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12, boxHeight: 12, usePointStyle: true } } },
      },
    });
    darkChart.dataset.drawn = "true";
  }

  const mix = document.getElementById("chart-channels");
  if (mix) {
    const entries = data.channel_mix;
    new Chart(mix, {
      type: "bar",
      data: {
        labels: entries.map(([channel]) => `${dark.has(channel) ? "● " : ""}${channelName(palette, channel)}`),
        datasets: [{
          label: "Human clicks",
          data: entries.map(([, count]) => count),
          backgroundColor: entries.map(([channel]) => palette.colours[channel] || CHANNEL_FALLBACK),
          borderRadius: 3,
          maxBarThickness: 22,
        }],
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 }, grid: { color: "#eef0f4" } },
          y: { grid: { display: false } },
        },
        plugins: { legend: { display: false } },
      },
    });
    mix.dataset.drawn = "true";
  }
}

// Live feed ------------------------------------------------------------------

const FEED_POLL_MS = 3000;
const KIND_LABELS = { human: "Human", preview_bot: "Preview", scanner: "Scanner", crawler: "Crawler" };

function cell(text, className) {
  const td = document.createElement("td");
  if (className) {
    const span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    td.appendChild(span);
  } else {
    td.textContent = text;
  }
  return td;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function feedTime(utc) {
  // "2026-11-23 02:41:51" -> "23 Nov 02:41:51"
  return `${Number(utc.slice(8, 10))} ${MONTHS[Number(utc.slice(5, 7)) - 1]} ${utc.slice(11)}`;
}

function renderFeed(body, clicks, palette, seen) {
  if (!clicks.length) return;
  body.replaceChildren(...clicks.map((click) => {
    const row = document.createElement("tr");
    row.dataset.clickId = click.id;
    row.dataset.kind = click.kind;
    row.dataset.channel = click.channel || "";
    if (seen.size && !seen.has(click.id)) row.classList.add("feed-new");
    row.append(
      cell(feedTime(click.time)),
      cell(KIND_LABELS[click.kind] || click.kind, `kind kind-${click.kind}`),
      cell(click.channel ? channelName(palette, click.channel) : "—",
           !click.channel ? null : click.kind !== "human" ? "tag tag-machine"
             : click.dark ? "tag tag-dark" : "tag tag-public"),
      cell(click.device || "—"),
      cell(click.advocate),
      cell(click.code),
    );
    return row;
  }));
  clicks.forEach((click) => seen.add(click.id));
}

function startFeed(palette) {
  const table = document.querySelector("table.feed");
  if (!table) return;
  const body = table.querySelector("tbody");
  const seen = new Set();
  const poll = async () => {
    try {
      const response = await fetch(table.dataset.feedUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const { clicks } = await response.json();
        renderFeed(body, clicks, palette, seen);
        table.dataset.updatedAt = String(Date.now());
      }
    } catch {
      // A missed poll is retried at the next tick.
    }
    setTimeout(poll, document.hidden ? FEED_POLL_MS * 4 : FEED_POLL_MS);
  };
  poll();
}

document.addEventListener("DOMContentLoaded", () => {
  const data = readChartData();
  drawCharts(data);
  startFeed(data ? data.palette : { labels: {} });
});

// Copy buttons beside short links: the link goes to the clipboard, and the
// page's status line says so for screen readers too.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const status = document.getElementById("copy-status");
  try {
    await navigator.clipboard.writeText(button.dataset.copy);
    if (status) status.textContent = `Copied ${button.dataset.copy}`;
    button.textContent = "Copied";
  } catch {
    if (status) status.textContent = `Copy it by hand: ${button.dataset.copy}`;
  }
  setTimeout(() => { button.textContent = "Copy"; }, 2000);
});
