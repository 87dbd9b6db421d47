// Live monitoring data: chunks from GET /runs/{id}/samples?since=CURSOR appended to per-metric series,
// turned into uPlot's aligned arrays, and the times of jank to mark on the FPS chart.


export class LiveSeries {
  constructor() {
    this.cursor = null;
    this.series = new Map(); // metric -> [[t, value], ...] in time order
    this.marks = [];
  }

  /** Add one poll's answer; returns how many points arrived. */
  append(chunk) {
    let added = 0;
    for (const [metric, points] of Object.entries(chunk.series || {})) {
      const target = this.series.get(metric) || [];
      for (const point of points) target.push([Number(point[0]), Number(point[1])]);
      target.sort((a, b) => a[0] - b[0]);
      this.series.set(metric, target);
      added += points.length;
    }
    for (const mark of chunk.marks || []) this.marks.push({ t: Number(mark.t), name: mark.name });
    this.marks.sort((a, b) => a.t - b.t);
    if (chunk.cursor !== undefined && chunk.cursor !== null) this.cursor = chunk.cursor;
    return added;
  }

  metrics() {
    return [...this.series.keys()].sort();
  }

  points(metric) {
    return this.series.get(metric) || [];
  }

  count() {
    let total = 0;
    for (const points of this.series.values()) total += points.length;
    return total;
  }
}

/** uPlot's data for several metrics on one time axis: [[t...], [v or null...], ...]. */
export function aligned(live, metrics) {
  const times = new Set();
  for (const metric of metrics) for (const [t] of live.points(metric)) times.add(t);
  const axis = [...times].sort((a, b) => a - b);
  const index = new Map(axis.map((t, i) => [t, i]));
  const columns = metrics.map((metric) => {
    const column = new Array(axis.length).fill(null);
    for (const [t, value] of live.points(metric)) column[index.get(t)] = value;
    return column;
  });
  return [axis, ...columns];
}

/** Times of jank: the sampler's own `jank`/`big_jank` counts above 0. The sampler applies PerfDog's rule
 * once, over every real frame; `frame_time` samples are per-read means, so judging them again here would
 * count the same jank twice (as the server's results once did). */
export function jankTimes(live) {
  const found = [];
  for (const metric of ["jank", "big_jank"]) {
    for (const [t, value] of live.points(metric)) if (value > 0) found.push({ t, big: metric === "big_jank" });
  }
  return found.sort((a, b) => a.t - b.t);
}

// Which metrics share a chart: one chart per kind of quantity, so units never mix on an axis.
export const CHART_GROUPS = [
  { title: "CPU", unit: "%", metrics: ["app_cpu", "app_cpu_per_core", "system_cpu", "cpu", "cpu_app", "cpu_total"] },
  { title: "Memory", unit: "MB", match: (name) => name.startsWith("memory") || name.includes("pss") },
  { title: "FPS", unit: "fps", metrics: ["fps"] },
  { title: "Frame time", unit: "ms", metrics: ["frame_time"] },
  { title: "Network", unit: "KB/s", match: (name) => name.startsWith("net_") },
  { title: "Disk", unit: "KB/s", match: (name) => name.startsWith("disk_") },
  { title: "Temperature", unit: "°C", match: (name) => name.includes("temp") },
];

/** Groups of the metrics present: known groups first, every other metric on a chart of its own. */
export function groupMetrics(names) {
  const left = new Set(names);
  const groups = [];
  for (const group of CHART_GROUPS) {
    const members = names.filter((name) => left.has(name)
      && (group.metrics ? group.metrics.includes(name) : group.match(name)));
    if (members.length) {
      groups.push({ title: group.title, unit: group.unit, metrics: members });
      for (const name of members) left.delete(name);
    }
  }
  for (const name of names) if (left.has(name)) groups.push({ title: name, unit: "", metrics: [name] });
  return groups;
}

// The runner marks every step's start and end ("step 3 wait start", "iteration 2/5 step 3 wait start"
// when the script repeats): drawn, but only the script's own marks get a label, or the charts drown in
// text. An iteration's start is labelled short ("iteration 2/5"), its end not (the next one starts there).
const STEP_MARK = /^(?:(?:iteration \d+\/\d+ )?step \d+ \S+ (?:start|end)|iteration \d+\/\d+ end)$/;

function shortLabel(name) {
  const match = /^iteration (\d+\/\d+) (.*)$/.exec(name);
  if (!match) return name;
  return match[2] === "start" ? `iteration ${match[1]}` : match[2];
}

/** Marks close in time drawn as one line, labelled with the script's own marks among them. */
export function mergedMarks(marks, within = 0.05) {
  const merged = [];
  for (const mark of marks) {
    const last = merged[merged.length - 1];
    if (last && mark.t - last.t <= within) last.names.push(mark.name);
    else merged.push({ t: mark.t, names: [mark.name] });
  }
  return merged.map(({ t, names }) => {
    const own = names.filter((name) => !STEP_MARK.test(name));
    return { t, label: own.map(shortLabel).join(" · "), step: own.length === 0, title: names.join(" · ") };
  });
}

const ITERATION = /^iteration (\d+)\/(\d+) (.*)$/;

/** Segments in groups per iteration of the script (the runner prefixes marks "iteration i/n "), each
 * segment labelled without the prefix; segments before the first iteration form an untitled group. */
export function iterationGroups(segments) {
  const groups = [];
  for (const segment of segments) {
    const match = ITERATION.exec(segment.name);
    const title = match ? `Iteration ${match[1]} of ${match[2]}` : null;
    const label = match ? match[3] : segment.name;
    let group = groups[groups.length - 1];
    if (!group || group.title !== title) groups.push(group = { title, segments: [] });
    group.segments.push({ ...segment, label });
  }
  return groups;
}
