// A video's interactions (timeline strip + each action's three frames) and a run's step timings
// (a table; their markers go on the run's charts). Kept apart from the screens that show them.
import { h, replace, table, errorBox, badge } from "../dom.js";
import { millis, seconds } from "../lib/format.js";
import { timelineLayout } from "../lib/actions.js";

const KINDS = ["operation", "response", "finish"];

function thumbnail(frame, catalog, kind) {
  const detail = frame ? catalog.get(frame.frame_number) : null;
  const thumb = detail?.thumbnail;
  const caption = h("figcaption", frame ? `${kind} #${frame.frame_number} · ${seconds(frame.timestamp)}` : `${kind}: none`);
  if (!thumb) return h("figure.action-frame.missing", h("div.placeholder", frame ? "…" : "—"), caption);
  const picture = h("div.sprite", { role: "img", "aria-label": `${kind} frame ${frame.frame_number}`, style: {
    width: `${thumb.width}px`, height: `${thumb.height}px`,
    backgroundImage: `url("${thumb.url}")`, backgroundPosition: `-${thumb.x}px -${thumb.y}px` } });
  return h("figure.action-frame", picture, caption);
}

function strip(actions, duration, onPick) {
  return h("div.action-strip#action-strip", timelineLayout(actions, duration).map((item) =>
    h(`button.action-span${item.ignored ? ".ignored" : ""}${item.review ? ".review" : ""}`, {
      type: "button", title: item.label ? `action ${item.index}: ${item.label}` : `action ${item.index}`,
      onclick: () => onPick(item.index),
      style: { left: `${item.left}%`, width: `${item.width}%` } },
    h("span.action-index", String(item.index)),
    item.marks.map((mark) => h(`span.action-mark.${mark.kind}`, { style: { left: `${((mark.left - item.left) / item.width) * 100}%` } })))));
}

/** The video page's actions card; frames' thumbnails come from the review data (sprite sheets). */
export function actionsCard(api, video) {
  const actions = video.actions || [];
  const rows = h("div.action-rows");
  const card = h("div.card#video-actions", h("h2", `Actions (${actions.length})`),
    h("p.muted", "Blue: the user's touch (operation). Orange: the app's first response. Green: finish."),
    strip(actions, video.duration, (index) => document.getElementById(`action-${index}`)?.scrollIntoView({ block: "nearest" })),
    rows);
  const render = (catalog) => replace(rows, actions.map((action) => h("div.action-row", { id: `action-${action.index}` },
    h("div.action-head", h("strong", `#${action.index}`), " ",
      action.label ? [h("span.action-label", action.label), " · "] : null,
      `response ${millis(action.response_time)}, finish ${millis(action.finish_time)}`,
      action.response ? null : h("span.muted", " (ignored: no reaction)"),
      action.needs_review ? [" ", badge("needs review")] : null),
    h("div.action-frames", KINDS.map((kind) => thumbnail(action[kind], catalog, kind))))));
  render(new Map());
  api.get(`/review/${video.video_id}`).then((review) => {
    render(new Map((review.all_frames || []).map((frame) => [frame.frame_number, frame])));
  }).catch((error) => rows.prepend(errorBox(error)));
  return card;
}

/** The run page's step timings table (times on the run's clock). */
export function stepTimingsTable(timings) {
  if (!timings?.length) return null;
  return h("div#step-timings", h("h3", "Step timings"),
    table([
      { title: "Step", cell: (s) => s.step },
      { title: "Operation", cell: (s) => seconds(s.operation?.t, 2) },
      { title: "Response", cell: (s) => seconds(s.response?.t, 2) },
      { title: "Finish", cell: (s) => seconds(s.finish?.t, 2) },
      { title: "Response time", cell: (s) => millis(s.response_time) },
      { title: "Finish time", cell: (s) => millis(s.finish_time) },
    ], timings));
}

/** The compare page's per-step deltas. */
export function stepDeltasTable(steps) {
  if (!steps?.length) return null;
  const delta = (value) => h(`span${value > 0 ? ".up" : value < 0 ? ".down" : ""}`, millis(value));
  return h("div.card#step-deltas", h("h2", "Per step"), table([
    { title: "Step", cell: (s) => s.step },
    { title: "Response A", cell: (s) => millis(s.response_time.a) },
    { title: "Response B", cell: (s) => millis(s.response_time.b) },
    { title: "Δ response", cell: (s) => delta(s.response_time.delta) },
    { title: "Finish A", cell: (s) => millis(s.finish_time.a) },
    { title: "Finish B", cell: (s) => millis(s.finish_time.b) },
    { title: "Δ finish", cell: (s) => delta(s.finish_time.delta) },
  ], steps));
}
