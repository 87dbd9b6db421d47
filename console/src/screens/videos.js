// Videos: upload (drag and drop, several at once, progress per file), the list with a status filter,
// and one video's result.
import { h, replace, load, badge, table, empty, errorBox } from "../dom.js";
import { ApiError, detailText, query } from "../lib/http.js";
import { seconds, percent, when, bytes, fps } from "../lib/format.js";
import { actionsCard } from "./actions.js";

const STATUSES = ["", "uploading", "processing", "completed", "failed", "cancelled"];
const PAGE = 20;
const BUSY = new Set(["uploading", "processing"]);

/**
 * One upload with progress events (fetch has none for request bodies). A deployed stack takes files
 * through a presigned S3 PUT (a Lambda request is at most 6 MB); the local serve takes them through
 * the API itself (its bucket endpoint is another origin), up to its 500 MB limit.
 */
async function uploadFile(api, file, onProgress) {
  if (api.uploads !== "presigned") {
    return send("POST", api.url("/video/upload"), api.authHeaders(), form(file), onProgress);
  }
  const ticket = await api.post("/video/upload-url", { filename: file.name, size: file.size });
  await send("PUT", ticket.upload_url, ticket.headers, file, onProgress);
  return ticket;
}

function form(file) {
  const data = new FormData();
  data.append("file", file, file.name);
  return data;
}

function send(method, url, headers, body, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, url);
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    request.onload = () => {
      let answer = null;
      try { answer = JSON.parse(request.responseText); } catch { /* S3 answers XML, or nothing */ }
      if (request.status >= 200 && request.status < 300) resolve(answer);
      else reject(new ApiError(request.status, answer?.detail ?? `${request.status} ${request.statusText}`));
    };
    request.onerror = () => reject(new ApiError(0, `cannot reach ${new URL(url).origin}`));
    request.send(body);
  });
}

function uploader(api, onUploaded) {
  const list = h("ul.uploads");
  const input = h("input", { type: "file", accept: ".mp4,video/mp4", multiple: true, id: "upload-input",
    onchange: () => { send([...input.files]); input.value = ""; } });
  const zone = h("div.dropzone", { tabindex: 0 },
    h("p", "Drop .mp4 recordings here, or "), h("label.button", { for: "upload-input" }, "choose files"), input);
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    send([...event.dataTransfer.files]);
  });

  async function send(files) {
    // Two at a time: the per-file bars stay readable and the server is not flooded.
    const queue = files.map((file) => {
      const bar = h("progress", { max: 1, value: 0 });
      const state = h("span.upload-state", "waiting");
      list.append(h("li.upload", h("span.name", file.name), h("span.size", bytes(file.size)), bar, state));
      return { file, bar, state };
    });
    const worker = async () => {
      while (queue.length) {
        const { file, bar, state } = queue.shift();
        state.textContent = "uploading";
        try {
          const result = await uploadFile(api, file, (fraction) => { bar.value = fraction; });
          bar.value = 1;
          replace(state, "uploaded → ", h("a", { href: `#/videos/${result.video_id}` }, result.video_id.slice(0, 8)));
          state.classList.add("ok");
          onUploaded();
        } catch (error) {
          state.textContent = detailText(error.detail ?? error.message);
          state.classList.add("bad");
        }
      }
    };
    await Promise.all([worker(), worker()]);
  }
  return h("div.card", h("h2", "Upload"), zone, list);
}

export async function videosScreen({ api, root, query: q, onLeave }) {
  const status = q.status || "";
  const skip = Number(q.skip || 0);
  const filter = h("select#status-filter", {
    onchange: () => { location.hash = `#/videos${query({ status: filter.value })}`; } },
  STATUSES.map((value) => h("option", { value, selected: value === status }, value || "all statuses")));
  const listBox = h("div.list");
  let timer = null;

  async function refresh(showLoading) {
    const render = (videos) => {
      clearTimeout(timer);
      // Keep watching while anything is still on its way.
      if (videos.some((video) => BUSY.has(video.status))) timer = setTimeout(() => refresh(false), 2000);
      return h("div",
        table([
          { title: "File", cell: (v) => h("a", { href: `#/videos/${v.video_id}` }, v.filename) },
          { title: "Status", cell: (v) => badge(v.status) },
          { title: "Progress", cell: (v) => BUSY.has(v.status) ? h("progress", { max: 100, value: v.progress }) : `${v.progress}%` },
          { title: "Duration", cell: (v) => seconds(v.measured_duration) },
          { title: "Confidence", cell: (v) => percent(v.ai_confidence) },
          { title: "Review", cell: (v) => v.needs_review ? h("a", { href: `#/review/${v.video_id}` }, "needs review") : "" },
          { title: "Uploaded", cell: (v) => when(v.created_at) },
        ], videos, { emptyText: status ? `No ${status} videos.` : "No videos yet: upload a recording above." }),
        h("div.pager",
          skip > 0 ? h("a.button", { href: `#/videos${query({ status, skip: Math.max(0, skip - PAGE) })}` }, "← newer") : null,
          videos.length === PAGE ? h("a.button", { href: `#/videos${query({ status, skip: skip + PAGE })}` }, "older →") : null));
    };
    if (showLoading) return load(listBox, () => api.get(`/video/list${query({ skip, limit: PAGE, status })}`), render, "Loading videos");
    try {
      replace(listBox, render(await api.get(`/video/list${query({ skip, limit: PAGE, status })}`)));
    } catch (error) {
      replace(listBox, errorBox(error));
    }
    return undefined;
  }
  onLeave(() => clearTimeout(timer));
  replace(root, h("h1", "Videos"), uploader(api, () => refresh(false)),
    h("div.card", h("div.row", h("h2", "Recordings"), h("label", "Status ", filter)), listBox));
  await refresh(true);
}

function frameFigure(frame, label) {
  if (!frame) return h("figure.frame.missing", h("div.placeholder", "no frame"), h("figcaption", label));
  return h("figure.frame", h("img", { src: frame.url, alt: `${label} frame ${frame.frame_number}`, loading: "lazy" }),
    h("figcaption", `${label}: frame ${frame.frame_number} at ${seconds(frame.timestamp)}`));
}

export async function videoScreen({ api, root, params, onLeave }) {
  const body = h("div");
  let timer = null;
  let left = false;
  onLeave(() => { left = true; clearTimeout(timer); });
  replace(root, h("p", h("a", { href: "#/videos" }, "← Videos")), body);
  const render = (video) => {
    clearTimeout(timer);
    if (BUSY.has(video.status)) {
      // A long poll: the server answers as soon as the progress differs from what is shown (or after
      // 20 s), so a finished analysis shows at once rather than up to a polling interval late.
      const since = `${video.status}/${video.progress}/${video.current_step ?? ""}`;
      timer = setTimeout(async () => {
        try {
          await api.get(`/video/${params.id}/progress?wait=20&since=${encodeURIComponent(since)}`);
          if (!left) replace(body, render(await api.get(`/video/${params.id}/status`)));
        } catch (error) { if (!left) replace(body, errorBox(error)); }
      }, 100);
    }
    const first = video.frames.find((frame) => frame.type === "first");
    const last = video.frames.find((frame) => frame.type === "last");
    return h("div",
      h("h1", video.filename, " ", badge(video.status)),
      BUSY.has(video.status) ? h("div.card", h("p", `Step: ${video.current_step}`),
        h("progress", { max: 100, value: video.progress }),
        h("button", { onclick: async () => { await api.post(`/video/${video.video_id}/cancel`); } }, "Cancel")) : null,
      video.error_message ? errorBox(video.error_message) : null,
      h("div.card.result",
        h("dl.facts",
          h("dt", "Response time"), h("dd.big#measured-duration", seconds(video.measured_duration)),
          h("dt", "Confidence"), h("dd", percent(video.ai_confidence)),
          h("dt", "Marking"), h("dd", video.marking_method || "—"),
          h("dt", "Recording"), h("dd#recording-facts", `${seconds(video.duration, 2)}, ${fps(video.fps, video.variable_frame_rate)}, ${video.width ?? "?"}×${video.height ?? "?"}`),
          h("dt", "Uploaded"), h("dd", when(video.created_at))),
        video.needs_review ? h("p.warn", "Needs review: ", (video.review_reasons || []).join("; ") || "low confidence",
          " ", h("a.button", { href: `#/review/${video.video_id}` }, "Review")) : null,
        video.status === "completed" ? h("p", h("a", { href: `#/review/${video.video_id}` }, "Open in review")) : null),
      video.status === "completed"
        ? [h("div.frames", frameFigure(first, "First"), frameFigure(last, "Last")),
          video.actions?.length ? actionsCard(api, video) : null]
        : video.status === "processing" || video.status === "uploading" ? empty("The frames appear once the analysis is done.") : null);
  };
  await load(body, () => api.get(`/video/${params.id}/status`), render, "Loading the video");
}
