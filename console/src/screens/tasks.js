// Tasks: the list, create and edit, add videos, statistics and the export buttons.
import { h, replace, load, badge, table, empty, field, exportButton } from "../dom.js";
import { detailText, query } from "../lib/http.js";
import { seconds, when, number } from "../lib/format.js";

function message(box, error) {
  replace(box, error ? h("p.bad", detailText(error.detail ?? error.message)) : "");
}

export async function tasksScreen({ api, root, query: q }) {
  const user = q.user || "";
  const list = h("div");
  const name = h("input#task-name", { placeholder: "e.g. cold start, build 1.4", required: true });
  const description = h("input#task-description", { placeholder: "optional" });
  const createdBy = h("input#task-owner", { value: localStorage.getItem("reviewer") || "", placeholder: "your name" });
  const feedback = h("div");
  const filter = h("input", { value: user, placeholder: "creator", onchange: () => { location.hash = `#/tasks${query({ user: filter.value })}`; } });
  const create = h("form.card.inline-form", {
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        const task = await api.post("/task/create", { name: name.value, description: description.value || null, created_by: createdBy.value || null });
        location.hash = `#/tasks/${task.id}`;
      } catch (error) {
        message(feedback, error);
      }
    },
  }, h("h2", "New task"), field("Name", name), field("Description", description), field("Created by", createdBy),
  h("button.primary", { type: "submit" }, "Create"), feedback);
  replace(root, h("h1", "Tasks"), create, h("div.card", h("div.row", h("h2", "All tasks"), h("label", "Creator ", filter)), list));
  await load(list, () => api.get(`/task/list${query({ user, limit: 100 })}`), (tasks) => table([
    { title: "Name", cell: (t) => h("a", { href: `#/tasks/${t.id}` }, t.name) },
    { title: "Status", cell: (t) => badge(t.status) },
    { title: "Videos", cell: (t) => `${t.completed_videos}/${t.total_videos}${t.failed_videos ? `, ${t.failed_videos} failed` : ""}` },
    { title: "Avg", cell: (t) => seconds(t.avg_duration) },
    { title: "Min–max", cell: (t) => `${seconds(t.min_duration)} – ${seconds(t.max_duration)}` },
    { title: "By", cell: (t) => t.created_by || "—" },
    { title: "Updated", cell: (t) => when(t.updated_at) },
  ], tasks, { emptyText: "No tasks yet: create one above, then add analysed videos to it." }), "Loading tasks");
}

function statistics(stats) {
  const rows = [
    ["Videos", `${stats.completed_videos} completed, ${stats.processing_videos ?? 0} processing, ${stats.failed_videos} failed of ${stats.total_videos}`],
    ["Average", seconds(stats.avg_duration)], ["Min", seconds(stats.min_duration)], ["Max", seconds(stats.max_duration)],
    ["Median", seconds(stats.median_duration)], ["p90", seconds(stats.p90_duration)], ["Std dev", seconds(stats.stddev_duration)],
    ["Total", seconds(stats.total_duration)], ["Frames", `${stats.total_frames ?? "—"} (${number(stats.avg_frames_per_video)} per video)`],
  ];
  return h("dl.facts#task-stats", rows.flatMap(([label, value]) => [h("dt", label), h("dd", value)]));
}

export async function taskScreen({ api, root, params }) {
  const body = h("div");
  replace(root, h("p", h("a", { href: "#/tasks" }, "← Tasks")), body);
  const reload = () => taskScreen({ api, root, params });
  const task = await load(body, () => api.get(`/task/${params.id}`), () => h("div"), "Loading the task");
  if (!task) return;
  const feedback = h("div");
  const name = h("input", { value: task.name });
  const description = h("input", { value: task.description || "" });
  const statsBox = h("div");
  const candidates = h("div");
  const exportLink = (format, label) => exportButton(api, `/task/${task.id}/export${query({ format })}`, format, label);

  const videos = table([
    { title: "#", cell: (v) => v.order },
    { title: "File", cell: (v) => h("a", { href: `#/videos/${v.video_id}` }, v.video_filename) },
    { title: "Status", cell: (v) => badge(v.video_status) },
    { title: "First", cell: (v) => v.first_frame_url ? h("img.thumb-small", { src: v.first_frame_url, alt: "first frame" }) : "—" },
    { title: "Last", cell: (v) => v.last_frame_url ? h("img.thumb-small", { src: v.last_frame_url, alt: "last frame" }) : "—" },
    { title: "Duration", cell: (v) => seconds(v.duration) },
    { title: "", cell: (v) => h("span.row",
      h("a", { href: `#/review/${v.video_id}` }, "review"),
      h("button.small", { onclick: async () => {
        try { await api.del(`/task/${task.id}/videos/${v.video_id}`); await reload(); } catch (error) { message(feedback, error); }
      } }, "remove")) },
  ], task.videos || [], { emptyText: "No videos in this task yet: add completed ones below." });

  async function showCandidates() {
    await load(candidates, () => api.get(`/video/list${query({ status: "completed", limit: 100 })}`), (all) => {
      const inTask = new Set((task.videos || []).map((v) => v.video_id));
      const free = all.filter((video) => !inTask.has(video.video_id));
      if (!free.length) return empty("No other completed videos to add.");
      const boxes = free.map((video) => h("label.check", h("input", { type: "checkbox", value: video.video_id }),
        ` ${video.filename} (${seconds(video.measured_duration)})`));
      return h("form", { onsubmit: async (event) => {
        event.preventDefault();
        const ids = boxes.map((label) => label.querySelector("input")).filter((box) => box.checked).map((box) => box.value);
        if (!ids.length) return;
        try {
          const answer = await api.post(`/task/${task.id}/videos`, { video_ids: ids });
          if (answer.failed_videos?.length) message(feedback, { message: `not added: ${JSON.stringify(answer.failed_videos)}` });
          await reload();
        } catch (error) {
          message(feedback, error);
        }
      } }, h("div.checks", boxes), h("button.primary#add-videos", { type: "submit" }, "Add selected"));
    }, "Loading completed videos");
  }

  replace(body,
    h("h1", task.name, " ", badge(task.status)),
    feedback,
    h("div.card.row",
      field("Name", name), field("Description", description),
      h("button", { onclick: async () => {
        try { await api.put(`/task/${task.id}`, { name: name.value, description: description.value || null }); await reload(); } catch (error) { message(feedback, error); }
      } }, "Save"),
      h("button.danger", { onclick: async () => {
        if (!confirm(`Delete task “${task.name}”? Its videos stay.`)) return;
        try { await api.del(`/task/${task.id}`); location.hash = "#/tasks"; } catch (error) { message(feedback, error); }
      } }, "Delete")),
    h("div.card", h("div.row", h("h2", "Statistics"),
      h("button", { onclick: async () => {
        try { await api.post(`/task/${task.id}/calculate-stats`); await showStats(); } catch (error) { message(feedback, error); }
      } }, "Recalculate"), exportLink("excel", "Export Excel"), exportLink("csv", "Export CSV")), statsBox),
    h("div.card", h("h2", "Videos"), videos),
    h("div.card", h("h2", "Add videos"), candidates));
  function showStats() {
    return load(statsBox, () => api.get(`/task/${task.id}/statistics`), statistics, "Loading statistics");
  }
  await Promise.all([showStats(), showCandidates()]);
}
