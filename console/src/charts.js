// uPlot charts for monitoring: one per group of same-unit metrics, with annotations drawn on the
// plot: script marks (labelled lines), jank (red ticks) and the recording's first/last frame.
import uPlot from "uplot";
import { placeLabels } from "./lib/labels.js";

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563", "#ca8a04"];

/** A uPlot plugin drawing vertical annotations; `get()` returns the current ones each redraw. */
function annotations(get) {
  return {
    hooks: {
      draw: [(plot) => {
        const { ctx } = plot;
        const { top, height, left, width } = plot.bbox;
        const ratio = devicePixelRatio || 1;
        ctx.save();
        // Nothing drawn outside the plot: labels never run over the axes and their ticks.
        ctx.beginPath();
        ctx.rect(left, top, width, height);
        ctx.clip();
        ctx.font = `${11 * ratio}px system-ui, sans-serif`;
        const notes = get();
        for (const note of notes) {
          const x = Math.round(plot.valToPos(note.t, "x", true));
          if (x < left || x > left + width) continue;
          ctx.strokeStyle = note.color;
          ctx.fillStyle = note.color;
          ctx.lineWidth = (note.width || 1) * ratio;
          ctx.setLineDash(note.dash ? [4 * ratio, 3 * ratio] : []);
          ctx.beginPath();
          if (note.tick) {  // jank: a short tick at the top of the plot
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + 10 * ratio);
          } else {
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
          }
          ctx.stroke();
        }
        const labels = placeLabels(notes, (t) => plot.valToPos(t, "x", true), (text) => ctx.measureText(text).width,
          left, left + width, 3 * ratio);
        for (const { note, row, x, align } of labels) {
          ctx.fillStyle = note.color;
          ctx.textAlign = align;
          ctx.fillText(note.label, x, top + row * 12 * ratio);
        }
        ctx.restore();
      }],
    },
  };
}

function spanning(min, max, notes) {
  const times = notes.map((note) => note.t).filter(Number.isFinite);
  if (min !== null && min !== undefined) times.push(min, max);
  if (!times.length) return [0, 1];
  const low = Math.min(...times);
  const high = Math.max(...times);
  return low === high ? [low - 0.5, high + 0.5] : [low, high];
}

/** The legend shows the values under the cursor; with no cursor on the chart, uPlot shows "--". Show
 * each series' latest value instead (a reader sees numbers, not what looks like missing data). */
function showLatest(plot) {
  if (plot.cursor.idx != null) return;
  const cells = plot.root.querySelectorAll(".u-legend .u-series .u-value");
  plot.series.forEach((series, i) => {
    if (i === 0 || !cells[i]) return;
    const column = plot.data[i] || [];
    let j = column.length - 1;
    while (j >= 0 && column[j] == null) j -= 1;
    cells[i].textContent = j < 0 ? "no data" : `${Number(column[j].toFixed(2))}`;
  });
  if (cells[0]) cells[0].textContent = plot.data[0]?.length ? `${Number(plot.data[0].at(-1).toFixed(1))} (latest)` : "—";
}

function latestInLegend() {
  return { hooks: { setLegend: [(plot) => showLatest(plot)] } };
}

export class LiveChart {
  /** group: {title, unit, metrics}; notes(): the annotations to draw on this chart. */
  constructor(container, group, notes, units = {}) {
    this.group = group;
    this.element = container.appendChild(document.createElement("div"));
    this.element.className = "chart";
    this.element.dataset.metrics = group.metrics.join(",");
    const width = Math.max(320, container.clientWidth - 24);
    this.plot = new uPlot({
      title: `${group.title}${group.unit ? ` (${group.unit})` : ""}`,
      width, height: 200,
      // The time axis also spans the annotations: a mark or a recording frame after the last sample shows.
      scales: { x: { time: false, range: (_plot, min, max) => spanning(min, max, notes()) } },
      axes: [{ label: "s since start" }, { size: 60 }],
      series: [{ label: "t" }, ...group.metrics.map((metric, i) => ({
        label: units[metric] ? `${metric} (${units[metric]})` : metric,
        stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true,
      }))],
      plugins: [annotations(notes), latestInLegend()],
    }, [[], ...group.metrics.map(() => [])], this.element);
  }

  setData(data) {
    this.plot.setData(data);
    this.element.dataset.points = String(data[0].length);
    showLatest(this.plot);
  }

  /** Redraw with the same data: the annotations changed (and may widen the time axis). */
  refresh() {
    this.plot.setData(this.plot.data);
  }

  resize(width) {
    this.plot.setSize({ width: Math.max(320, width - 24), height: 200 });
  }

  destroy() {
    this.plot.destroy();
    this.element.remove();
  }
}
