// One monitoring run: charts that follow the run every second (the live `since` cursor), script marks,
// jank and the recording's first/last frame as annotations, then the summary and verdict; and the
// comparison of two runs.
import { h, replace, load, badge, table, empty, errorBox, exportButton } from "../dom.js";
import { detailText, query } from "../lib/http.js";
import { when, number, seconds } from "../lib/format.js";
import { LiveSeries, aligned, jankTimes, groupMetrics, mergedMarks, iterationGroups } from "../lib/live.js";
import { LiveChart } from "../charts.js";
import { stepNotes } from "../lib/actions.js";
import { stepTimingsTable, stepDeltasTable } from "./actions.js";

const TERMINAL = new Set(["completed", "failed", "cancelled"]);
const STATS = ["count", "min", "avg", "median", "p90", "p95", "max"];

function summary(results) {
  const metrics = Object.entries(results.metrics || {}).filter(([, s]) => s.count);
  return h("div#run-summary",
    h("p.verdict", "Verdict: ", badge(results.verdict ?? "not judged"),
      ` · ${results.sample_count} samples, ${results.mark_count} marks`
        + (results.jank ? `, jank ${results.jank.jank} (big ${results.jank.big_jank})` : "")),
    results.failures?.length ? h("ul.failures", results.failures.map((f) =>
      h("li", `${f.metric} ${f.stat} = ${number(f.observed)} breaks ${f.op} ${f.value}`))) : null,
    table([{ title: "Metric", cell: ([name]) => h("code", name) },
      ...STATS.map((stat) => ({ title: stat, cell: ([, s]) => number(s[stat]) }))], metrics, { emptyText: "No samples were stored." }),
    segmentsView(results.segments || []),
    stepTimingsTable(results.step_timings));
}

/** Mark segments grouped by iteration ("iteration 2/12 step 3 tap start"), empty ones left out: one
 * table a tester can read down, not one row per mark. */
function segmentsView(all) {
  const shown = all.filter((s) => (s.end == null || s.end - s.start > 1e-6) && Object.keys(s.metrics || {}).length);
  if (!shown.length) return null;
  const groups = iterationGroups(shown);
  const rows = groups.flatMap((group) => [
    ...(group.title ? [h("tr.group", h("th", { colSpan: 4 }, group.title))] : []),
    ...group.segments.map((s) => h("tr",
      h("td", s.label), h("td", seconds(s.start, 2)), h("td", s.end == null ? "to the end" : seconds(s.end - s.start, 2)),
      h("td", Object.entries(s.metrics).map(([m, v]) => `${m} ${number(v.avg)}`).join(", "))))]);
  const hidden = all.length - shown.length;
  return h("details#run-segments",
    h("summary", `Per mark segment (${shown.length}${groups.length > 1 ? ` in ${groups.length} iterations` : ""})`),
    h("table.grid.segments", h("thead", h("tr", ["Segment", "From", "Lasts", "Averages"].map((t) => h("th", t)))),
      h("tbody", rows)),
    hidden ? h("p.muted", `${hidden} empty segment${hidden === 1 ? "" : "s"} (marks at one time, or no samples) left out.`) : null);
}

export async function runScreen({ api, root, params, onLeave }) {
  let run = await load(root, () => api.get(`/monitor/runs/${params.id}`), () => h("div"), "Loading the run");
  if (!run) return;
  // A run that had ended before the page opened is complete after the first read.
  const endedBeforeOpen = TERMINAL.has(run.status);
  const live = new LiveSeries();
  const units = {};
  const head = h("div");
  const chartsTitle = h("h2#charts-title", "Live");
  const chartsBox = h("div.charts#run-charts");
  const counter = h("span#live-count", "0 points");
  const summaryBox = h("div.card", empty("The summary and verdict appear when the run ends."));
  const charts = new Map();
  let stopped = false;
  let timer = null;
  let stepTimings = [];  // from the results: each step's operation/response/finish on the time axis
  onLeave(() => { stopped = true; clearTimeout(timer); });
  const resize = () => charts.forEach((chart) => chart.resize(chartsBox.clientWidth));
  window.addEventListener("resize", resize);
  onLeave(() => window.removeEventListener("resize", resize));

  function notesFor(group) {
    const notes = mergedMarks(live.marks).map((mark, i) => ({ t: mark.t, color: mark.step ? "#d1d5db" : "#6b7280",
      dash: true, label: mark.label, row: (i % 3) + 1 }));
    if (group.metrics.some((m) => ["fps", "frame_time", "jank", "big_jank"].includes(m))) {
      for (const jank of jankTimes(live)) notes.push({ t: jank.t, color: "#dc2626", tick: true, width: jank.big ? 3 : 2 });
    }
    const video = run.video;
    if (video?.first_frame_t != null) notes.push({ t: video.first_frame_t, color: "#16a34a", width: 2, label: "first frame", row: 4 });
    if (video?.last_frame_t != null) notes.push({ t: video.last_frame_t, color: "#9333ea", width: 2, label: "last frame", row: 4 });
    notes.push(...stepNotes(stepTimings));
    return notes;
  }

  function redraw() {
    chartsBox.querySelector(".waiting")?.remove();
    for (const group of groupMetrics(live.metrics())) {
      const key = group.title;
      let chart = charts.get(key);
      if (chart && chart.group.metrics.join() !== group.metrics.join()) {  // a new metric joined the group
        chart.destroy();
        chart = null;
      }
      if (!chart) {
        chart = new LiveChart(chartsBox, group, () => notesFor(group), units);
        charts.set(key, chart);
      }
      chart.setData(aligned(live, group.metrics));
    }
    counter.textContent = `${live.count()} points, ${live.marks.length} marks`;
  }

  function drawHead() {
    chartsTitle.textContent = TERMINAL.has(run.status) ? "Charts" : "Live";
    replace(head,
      h("h1", `Run ${run.run_id.slice(0, 8)} `, badge(run.status), " ", run.verdict ? badge(run.verdict) : null),
      h("p.facts-row.row",
        h("a", { href: `#/monitor/tasks/${run.task_id}` }, "task"),
        h("span", `created ${when(run.created_at)}`), h("span", `started ${when(run.started_at)}`),
        run.finished_at ? h("span", `ended ${when(run.finished_at)}`) : h("span.live-dot", "live"),
        counter,
        exportButton(api, `/monitor/runs/${run.run_id}/export${query({ format: "csv" })}`, "csv", "CSV"),
        exportButton(api, `/monitor/runs/${run.run_id}/export${query({ format: "excel" })}`, "excel", "Excel"),
        TERMINAL.has(run.status) ? null : h("button.danger", { onclick: async () => {
          try { await api.post(`/monitor/runs/${run.run_id}/cancel`); } catch (error) { head.append(errorBox(error)); }
        } }, "Cancel run")),
      run.failure_reason ? errorBox(run.failure_reason) : null,
      run.video ? h("p", `Recording ${run.video.video_id.slice(0, 8)}: first frame at ${seconds(run.video.first_frame_t)}, `
        + `last at ${seconds(run.video.last_frame_t)} on the run's time axis (${seconds(run.video.duration)})`) : null);
  }

  // A screen recording of the run: its first/last frame then show on the charts' time axis.
  const linkBox = h("div.card");
  async function showLinkForm() {
    let videos = [];
    try {
      videos = await api.get(`/video/list${query({ status: "completed", limit: 100 })}`);
    } catch (error) {
      replace(linkBox, errorBox(error));
      return;
    }
    // Nothing chosen until the tester chooses: a preselected recording would be linked by a careless click.
    const video = h("select#link-video", { required: true },
      h("option", { value: "", selected: !run.video_id, disabled: true }, "choose a recording…"),
      videos.map((v) => h("option", { value: v.video_id, selected: v.video_id === run.video_id },
        `${v.filename} (${when(v.created_at)})`)));
    const offset = h("input.narrow#link-offset", { type: "number", step: "any", value: run.video?.offset_s ?? 0 });
    const feedback = h("span");
    replace(linkBox, h("h2", "Recording"),
      videos.length ? h("form.row", { onsubmit: async (event) => {
        event.preventDefault();
        try {
          run = await api.put(`/monitor/runs/${run.run_id}/video`, { video_id: video.value, offset_s: Number(offset.value) });
          drawHead();
          charts.forEach((chart) => chart.refresh());
          replace(feedback, h("span.ok#link-saved", "linked"));
        } catch (error) {
          replace(feedback, h("span.bad", detailText(error.detail ?? error.message)));
        }
      } }, h("label", "Video ", video), h("label", "starts at run time (s) ", offset),
      h("button", { type: "submit" }, run.video ? "Change" : "Link"), feedback)
        : empty("No analysed recording to link: upload the run's screen recording on the Videos page."));
  }

  async function poll() {
    if (stopped) return;
    try {
      const [chunk, latest] = await Promise.all([
        api.get(`/monitor/runs/${params.id}/samples${query({ since: live.cursor ?? 0 })}`),
        api.get(`/monitor/runs/${params.id}`)]);
      const added = live.append(chunk);
      const statusChanged = latest.status !== run.status || latest.verdict !== run.verdict;
      run = latest;
      if (added || chunk.marks?.length) redraw();
      if (statusChanged) drawHead();
      if (TERMINAL.has(run.status) && (!added || endedBeforeOpen)) {  // ended and drained: the results are final
        const results = await load(summaryBox, () => api.get(`/monitor/runs/${params.id}/results`), summary, "Computing results");
        stepTimings = results?.step_timings || [];
        charts.forEach((chart) => chart.refresh());
        drawHead();
        return;
      }
    } catch (error) {
      replace(summaryBox, errorBox(error));
    }
    timer = setTimeout(poll, 1000);
  }

  replace(root, h("p", h("a", { href: "#/monitor" }, "← Monitoring")), head,
    h("div.card", chartsTitle, h("p.muted", "Dashed lines: script marks. Red ticks: jank. Green/purple: the recording's first and last frame. "
      + "Blue/orange/green thin lines: each step's operation, response and finish."),
      chartsBox),
    summaryBox, linkBox);
  drawHead();
  showLinkForm();
  try {
    for (const item of await api.get("/monitor/items")) units[item.name] = item.unit;
  } catch { /* units are a nicety */ }
  await poll();
  if (!live.count() && !TERMINAL.has(run.status)) chartsBox.prepend(h("p.muted.waiting", "Waiting for the runner's first samples…"));
}

export async function compareScreen({ api, root, query: q }) {
  const body = h("div");
  replace(root, h("p", h("a", { href: "#/monitor" }, "← Monitoring")), h("h1", "Compare two runs"), body);
  if (!q.a || !q.b) {
    replace(body, empty("Tick two runs on a task's page to compare them."));
    return;
  }
  await load(body, async () => {
    const [comparison, a, b] = await Promise.all([
      api.get(`/monitor/runs/compare${query({ a: q.a, b: q.b })}`),
      api.get(`/monitor/runs/${q.a}/samples`), api.get(`/monitor/runs/${q.b}/samples`)]);
    return { comparison, a, b };
  }, ({ comparison, a, b }) => {
    const rows = Object.entries(comparison.metrics || {});
    const chartsBox = h("div.charts");
    const view = h("div",
      h("p", `A = ${q.a.slice(0, 8)}, B = ${q.b.slice(0, 8)}; delta is B − A.`),
      h("div.card", table([
        { title: "Metric", cell: ([m]) => h("code", m) },
        ...["avg", "p95", "max"].flatMap((stat) => [
          { title: `${stat} A`, cell: ([, r]) => number(r.a[stat]) },
          { title: `${stat} B`, cell: ([, r]) => number(r.b[stat]) },
          { title: `Δ ${stat}`, cell: ([, r]) => {
            const pct = r.delta[`${stat}_pct`];
            return h(`span${r.delta[stat] > 0 ? ".up" : r.delta[stat] < 0 ? ".down" : ""}`,
              `${number(r.delta[stat])}${pct != null ? ` (${number(pct, 1)}%)` : ""}`);
          } }]),
      ], rows, { emptyText: "The runs share no metrics." })),
      stepDeltasTable(comparison.steps),
      h("div.card", h("h2", "Both runs on one time axis"), chartsBox));
    // Charts after the view is in the page (uPlot measures its container).
    setTimeout(() => {
      const left = new LiveSeries();
      left.append(a);
      const right = new LiveSeries();
      right.append(b);
      const shared = left.metrics().filter((m) => right.metrics().includes(m));
      for (const metric of shared) {
        const merged = new LiveSeries();
        merged.series.set(`A ${metric}`, left.points(metric));
        merged.series.set(`B ${metric}`, right.points(metric));
        const names = [`A ${metric}`, `B ${metric}`];
        new LiveChart(chartsBox, { title: metric, unit: "", metrics: names }, () => []).setData(aligned(merged, names));
      }
      if (!shared.length) chartsBox.append(empty("No metric in common to draw."));
    });
    return view;
  }, "Comparing");
}
