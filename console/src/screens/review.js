// Review: the queue of videos that need a person, and for one video a filmstrip of every frame with
// its change score, keyboard stepping, picking the first and last frame, the new duration, submit,
// and the marking history.
import { h, replace, load, badge, table, empty, errorBox, field } from "../dom.js";
import { detailText, query } from "../lib/http.js";
import { seconds, percent, when, number } from "../lib/format.js";
import { Selection, scoreHeights } from "../lib/filmstrip.js";

// Thumbnails come as cells of sprite sheets (one JPEG holds many frames); each sheet loads once.
const sheets = new Map();
function image(url) {
  if (!sheets.has(url)) {
    sheets.set(url, new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => reject(new Error(`cannot load ${url}`));
      img.src = url;
    }));
  }
  return sheets.get(url);
}

/** Draw a frame into a canvas: its sprite cell, else its full image; a grey box when it has neither. */
async function drawFrame(canvas, frame, preferFull = false) {
  const ctx = canvas.getContext("2d");
  const cell = frame.thumbnail;
  try {
    if (cell && !(preferFull && frame.url)) {
      canvas.height = Math.round(canvas.width * (cell.height / cell.width));
      ctx.drawImage(await image(cell.url), cell.x, cell.y, cell.width, cell.height, 0, 0, canvas.width, canvas.height);
    } else if (frame.url) {
      const img = await image(frame.url);
      canvas.height = Math.round(canvas.width * (img.naturalHeight / img.naturalWidth));
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    } else {
      ctx.fillStyle = "#e5e7eb";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
    }
  } catch {
    ctx.fillStyle = "#fecaca";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  }
}

export async function reviewQueueScreen({ api, root }) {
  const list = h("div");
  replace(root, h("h1", "Review"), h("p.lead", "Videos whose analysis is not sure enough wait here for a person."),
    h("div.card", list));
  await load(list, () => api.get(`/review/pending${query({ limit: 100 })}`), (videos) => table([
    { title: "File", cell: (v) => h("a", { href: `#/review/${v.video_id}` }, v.filename) },
    { title: "Status", cell: (v) => badge(v.status) },
    { title: "Confidence", cell: (v) => percent(v.ai_confidence) },
    { title: "Frames", cell: (v) => v.total_frames ?? "—" },
    { title: "Marking", cell: (v) => v.marking_method || "—" },
  ], videos, { emptyText: "Nothing to review: every analysed video is confident enough." }), "Loading the queue");
}

function historyView(entries) {
  if (!entries.length) return empty("Not marked by a person yet.");
  return h("ol.history", entries.map((entry) => {
    const before = entry.before || {};
    const after = entry.after || {};
    return h("li",
      h("strong", entry.reviewer || "someone"), " ", when(entry.created_at), ": ",
      `frames ${before.first_frame_number ?? "?"}–${before.last_frame_number ?? "?"} → ${after.first_frame_number ?? "?"}–${after.last_frame_number ?? "?"}`,
      `, ${seconds(before.duration)} → ${seconds(after.duration)}`,
      after.marking_method ? ` (${after.marking_method})` : "",
      entry.notes ? h("em", ` “${entry.notes}”`) : null);
  }));
}

export async function reviewScreen({ api, root, params, onLeave }) {
  const body = h("div");
  replace(root, h("p", h("a", { href: "#/review" }, "← Review queue")), body);
  const data = await load(body, () => api.get(`/review/${params.id}`), () => h("div"), "Loading frames");
  if (!data) return;
  const frames = data.all_frames || [];
  if (!frames.length) {
    replace(body, h("h1", data.filename), empty("This video has no extracted frames to review yet."));
    return;
  }
  const selection = new Selection(frames, data.marked_first_frame, data.marked_last_frame);
  const heights = scoreHeights(selection.frames);

  const preview = h("canvas.preview#frame-preview", { width: 360, height: 640 });
  const caption = h("p.caption");
  const durationOut = h("output.big#new-duration");
  const markedOut = h("span#marked-duration", seconds(data.duration ?? selection.duration));
  const methodOut = h("span#marking-method", `marking: ${data.marking_method || "—"}`);
  const problem = h("p.problem");
  const reviewer = h("input#reviewer", { value: localStorage.getItem("reviewer") || "", placeholder: "your name", required: true });
  const notes = h("input#notes", { placeholder: "optional" });
  const submit = h("button.primary#submit-marking", { onclick: () => send() }, "Submit marking");
  const result = h("div.submit-result");
  const historyBox = h("div");
  const strip = h("div.filmstrip", { tabindex: 0, "aria-label": "frames: arrows step, F first, L last" },
    selection.frames.map((frame, index) => h("button.thumb", {
      dataset: { index: String(index), frame: String(frame.frame_number) },
      title: `frame ${frame.frame_number} at ${seconds(frame.timestamp)}, change ${number(frame.scene_change_score)}`,
      onclick: () => { selection.cursor = index; draw(); },
    },
    // The frame's own score bar sits in a fixed slot above its thumbnail: bars line up with their
    // frames and every frame number stays on one line.
    h("span.score-slot", h("span.score", { style: { height: `${Math.round(2 + heights[index] * 30)}px` } })),
    h("canvas", { width: 46, height: 82 }),
    h("span.num", String(frame.frame_number)))));
  strip.addEventListener("scroll", () => drawScores());
  // The whole video's change scores as one bar each: where the screen changes stands out at a glance,
  // the shaded band is the part the filmstrip below shows; a click jumps there.
  const scores = h("canvas.scores#score-chart", { width: 1200, height: 70, title: "change score per frame: click to jump",
    onclick: (event) => {
      const box = scores.getBoundingClientRect();
      selection.cursor = Math.min(selection.frames.length - 1, Math.floor((event.clientX - box.left) / box.width * selection.frames.length));
      draw();
    } });
  function drawScores() {
    const ctx = scores.getContext("2d");
    const width = scores.width / selection.frames.length;
    ctx.clearRect(0, 0, scores.width, scores.height);
    selection.frames.forEach((frame, index) => {
      const picked = frame.id === selection.firstId ? "#16a34a" : frame.id === selection.lastId ? "#9333ea" : null;
      ctx.fillStyle = picked || "#93c5fd";
      const height = picked ? scores.height : Math.max(2, heights[index] * (scores.height - 4));
      ctx.fillRect(index * width, scores.height - height, Math.max(1, width - 1), height);
    });
    const shown = visibleRange();
    if (shown) {
      ctx.fillStyle = "rgba(17, 24, 39, 0.08)";
      ctx.fillRect(shown[0] * width, 0, (shown[1] - shown[0] + 1) * width, scores.height);
    }
    ctx.fillStyle = "#111827";
    ctx.fillRect(selection.cursor * width + width / 2 - 1, 0, 2, scores.height);
  }
  function visibleRange() {
    const thumbs = strip.querySelectorAll(".thumb");
    if (!thumbs.length || !strip.clientWidth) return null;
    const step = thumbs.length > 1 ? thumbs[1].offsetLeft - thumbs[0].offsetLeft : thumbs[0].offsetWidth;
    const first = Math.max(0, Math.floor(strip.scrollLeft / step));
    return [first, Math.min(thumbs.length - 1, first + Math.floor(strip.clientWidth / step))];
  }
  const byFrame = (list) => [...(list || [])].sort((a, b) => a.frame_number - b.frame_number);
  const candidates = (title, list, pick) => h("div.candidates", h("h3", title), list?.length
    ? byFrame(list).map((frame) => h("button.candidate", { onclick: () => { selection.jumpTo(frame.id); pick(); draw(); } },
      `#${frame.frame_number} ${seconds(frame.timestamp)} (${percent(frame.confidence_score)})`))
    : h("span.muted", "none"));

  function draw() {
    const current = selection.current;
    drawFrame(preview, current, true);
    caption.textContent = `Frame ${current.frame_number} of ${selection.frames.length} at ${seconds(current.timestamp)}`
      + ` · change ${number(current.scene_change_score)}`
      + (current.id === selection.firstId ? " · FIRST" : "") + (current.id === selection.lastId ? " · LAST" : "");
    strip.querySelectorAll(".thumb").forEach((thumb, index) => {
      const frame = selection.frames[index];
      thumb.classList.toggle("current", index === selection.cursor);
      thumb.classList.toggle("first", frame.id === selection.firstId);
      thumb.classList.toggle("last", frame.id === selection.lastId);
    });
    strip.querySelector(".thumb.current")?.scrollIntoView({ block: "nearest", inline: "center" });
    durationOut.textContent = seconds(selection.duration);
    problem.textContent = selection.problem || "";
    submit.disabled = Boolean(selection.problem);
    drawScores();
  }

  async function send() {
    if (selection.problem) return;
    if (!reviewer.value.trim()) {
      replace(result, errorBox("enter your name as reviewer"));
      reviewer.focus();
      return;
    }
    localStorage.setItem("reviewer", reviewer.value.trim());
    submit.disabled = true;
    try {
      const answer = await api.post(`/review/${params.id}/mark`, {
        first_frame_id: selection.firstId, last_frame_id: selection.lastId,
        reviewer: reviewer.value.trim(), review_notes: notes.value || null });
      const duration = answer.duration ?? Number(answer.last_frame.timestamp) - Number(answer.first_frame.timestamp);
      replace(result, h("p.ok#marking-saved", `Saved (${answer.status}, ${answer.marking_method ?? "manual"}): `
        + `the response time is now ${seconds(duration)}.`));
      markedOut.textContent = seconds(duration);
      methodOut.textContent = `marking: ${answer.marking_method ?? "manual"}`;
      await showHistory();
    } catch (error) {
      replace(result, h("p.bad", detailText(error.detail ?? error.message)));
    } finally {
      submit.disabled = Boolean(selection.problem);
    }
  }

  function showHistory() {
    return load(historyBox, () => api.get(`/review/${params.id}/history`),
      (entries) => historyView(Array.isArray(entries) ? entries : entries.history || []), "Loading history");
  }

  const onKey = (event) => {
    if (event.target instanceof HTMLInputElement) return;
    const moves = { ArrowRight: 1, ArrowLeft: -1, PageDown: 10, PageUp: -10 };
    if (event.key in moves) selection.step(moves[event.key] * (event.shiftKey ? 10 : 1));
    else if (event.key === "Home") selection.cursor = 0;
    else if (event.key === "End") selection.cursor = selection.frames.length - 1;
    else if (event.key === "f" || event.key === "F") selection.pickFirst();
    else if (event.key === "l" || event.key === "L") selection.pickLast();
    else return;
    event.preventDefault();
    draw();
  };
  document.addEventListener("keydown", onKey);
  onLeave(() => document.removeEventListener("keydown", onKey));

  replace(body,
    h("h1", data.filename, " ", badge(data.status)),
    h("div.row.facts-row",
      h("span", `AI confidence ${percent(data.ai_confidence)}`), methodOut,
      h("span", `${data.total_frames ?? frames.length} frames`),
      data.reviewed_by ? h("span", `last reviewed by ${data.reviewed_by} ${when(data.reviewed_at)}`) : null),
    h("div.review-grid",
      h("div.card", preview, caption,
        h("div.row.buttons",
          h("button", { onclick: () => { selection.step(-1); draw(); } }, "◀ previous"),
          h("button#pick-first", { onclick: () => { selection.pickFirst(); draw(); } }, "Pick as first (F)"),
          h("button#pick-last", { onclick: () => { selection.pickLast(); draw(); } }, "Pick as last (L)"),
          h("button", { onclick: () => { selection.step(1); draw(); } }, "next ▶")),
        h("p.muted", "← → step one frame, Shift or PageUp/PageDown ten, Home/End the ends.")),
      h("div.card",
        h("dl.facts", h("dt", "Marked duration"), h("dd", markedOut), h("dt", "New duration"), h("dd", durationOut)),
        problem,
        candidates("First candidates", data.first_candidates, () => selection.pickFirst()),
        candidates("Last candidates", data.last_candidates, () => selection.pickLast()),
        field("Reviewer", reviewer), field("Notes", notes), submit, result)),
    h("div.card", h("h2", "Frames and change scores"), scores, strip),
    h("div.card", h("h2", "Marking history"), historyBox));
  draw();
  strip.querySelectorAll(".thumb canvas").forEach((canvas, index) => drawFrame(canvas, selection.frames[index]));
  await showHistory();
}
