// Monitoring setup: the metric catalog, profiles, the scenario script editor with validation at the
// right line, the monitoring task list, and one task with its runs and how to start one.
import { h, replace, load, badge, table, errorBox, field } from "../dom.js";
import { detailText, query } from "../lib/http.js";
import { when, seconds } from "../lib/format.js";
import { runnerPanel } from "./runner.js";

const say = (box, error) => replace(box, error ? h("p.bad", detailText(error.detail ?? error.message)) : "");

/** A new profile's form, or with `existing` an edit of that profile (PUT replaces name and items). */
function profileForm(api, items, onSaved, existing = null) {
  const name = h("input#profile-name", { placeholder: "e.g. scroll smoothness", value: existing?.name ?? "" });
  const feedback = h("div");
  const chosen = new Map((existing?.items || []).map((i) => [i.metric, i]));
  const rows = items.map((item) => {
    const had = chosen.get(item.name);
    const limit = had?.thresholds?.[0];
    const use = h("input", { type: "checkbox", value: item.name, checked: Boolean(had) });
    const interval = h("input.narrow", { type: "number", min: item.min_interval_ms, value: had?.interval_ms ?? item.default_interval_ms });
    const stat = h("select", h("option", { value: "" }, "no threshold"), item.stats.map((s) => h("option", { value: s, selected: limit?.stat === s }, s)));
    const op = h("select", ["le", "lt", "ge", "gt", "eq"].map((o) => h("option", { value: o, selected: limit?.op === o }, o)));
    const value = h("input.narrow", { type: "number", step: "any", value: limit?.value ?? "" });
    return { item, use, interval, stat, op, value,
      row: h("tr", h("td", h("label", use, ` ${item.title}`)), h("td", item.unit), h("td", item.source),
        h("td", interval), h("td", stat, op, value)) };
  });
  return h("form", { onsubmit: async (event) => {
    event.preventDefault();
    const chosen = rows.filter((r) => r.use.checked).map((r) => ({
      metric: r.item.name, interval_ms: Number(r.interval.value) || null,
      thresholds: r.stat.value && r.value.value !== "" ? [{ stat: r.stat.value, op: r.op.value, value: Number(r.value.value) }] : [] }));
    try {
      if (existing) await api.put(`/monitor/profiles/${existing.profile_id}`, { name: name.value, items: chosen });
      else await api.post("/monitor/profiles", { name: name.value, items: chosen });
      say(feedback, null);
      onSaved();
    } catch (error) {
      say(feedback, error);
    }
  } }, field("Name", name),
  h("table.grid.compact", h("thead", h("tr", ["Metric", "Unit", "Source", "Interval ms", "Threshold"].map((t) => h("th", t)))),
    h("tbody", rows.map((r) => r.row))),
  h("button.primary#save-profile", { type: "submit" }, existing ? "Save changes" : "Save profile"), feedback);
}

/** Last verdict of a task as what it is: while a run is going it belongs to the run before. */
function lastVerdict(task) {
  if (task.status !== "running") return badge(task.last_verdict ?? "—");
  return h("span.verdict-running", badge("running"),
    task.last_verdict ? h("span.muted", ` (previous run: ${task.last_verdict})`) : null);
}

function taskForm(api, profiles, scripts, onSaved) {
  const name = h("input#mtask-name", { placeholder: "e.g. feed scroll" });
  const kind = h("select#mtask-kind", h("option", { value: "process" }, "process on this machine"), h("option", { value: "android" }, "Android app (adb)"));
  const command = h("input#mtask-command", { placeholder: "command to launch, e.g. python app.py" });
  const pkg = h("input#mtask-package", { placeholder: "com.example.app" });
  const serial = h("input", { placeholder: "device serial (optional)" });
  const profile = h("select#mtask-profile", profiles.map((p) => h("option", { value: p.profile_id }, p.name)));
  const script = h("select#mtask-script", h("option", { value: "" }, "no script (sample only)"), scripts.map((s) => h("option", { value: s.script_id }, s.name)));
  const duration = h("input.narrow", { type: "number", min: 1, value: 60 });
  const repeat = h("input.narrow", { type: "number", min: 1, value: 1 });
  const feedback = h("div");
  const targetFields = h("div.row");
  const showTarget = () => replace(targetFields, kind.value === "android" ? [field("Package", pkg), field("Device", serial)] : field("Command", command));
  kind.addEventListener("change", showTarget);
  showTarget();
  return h("form", { onsubmit: async (event) => {
    event.preventDefault();
    const target = kind.value === "android"
      ? { kind: "android", package: pkg.value, ...(serial.value ? { device_serial: serial.value } : {}) }
      : { kind: "process", command: command.value };
    try {
      const task = await api.post("/monitor/tasks", { name: name.value, target, profile_id: profile.value,
        script_id: script.value || null, duration_limit_s: Number(duration.value), repeat_count: Number(repeat.value),
        created_by: localStorage.getItem("reviewer") || null });
      location.hash = `#/monitor/tasks/${task.task_id}`;
      onSaved();
    } catch (error) {
      say(feedback, error);
    }
  } },
  profiles.length ? null : h("p.warn", "Create a profile first: a task samples the metrics of its profile."),
  h("div.row", field("Name", name), field("Target", kind)), targetFields,
  h("div.row", field("Profile", profile), field("Script", script), field("Time limit (s)", duration), field("Repeats", repeat)),
  h("button.primary", { type: "submit", disabled: !profiles.length }, "Create task"), feedback);
}

export async function monitorScreen({ api, root, onLeave }) {
  const tasksBox = h("div");
  const profilesBox = h("div");
  const scriptsBox = h("div");
  const catalogList = h("div");
  const catalogBox = h("details.card", h("summary", "Metric catalog"), catalogList);
  const formsBox = h("div");
  replace(root, h("h1", "Monitoring"),
    h("div.card", h("h2", "Monitoring tasks"), tasksBox), formsBox,
    h("div.two",
      h("div.card", h("div.row", h("h2", "Scripts"), h("a.button", { href: "#/monitor/scripts/new" }, "New script")), scriptsBox),
      h("div.card", h("h2", "Profiles"), profilesBox)),
    catalogBox);

  let timer = null;
  onLeave(() => clearTimeout(timer));
  const showTasks = async (first) => {
    const render = (tasks) => table([
      { title: "Task", cell: (t) => h("a", { href: `#/monitor/tasks/${t.task_id}` }, t.name) },
      { title: "Target", cell: (t) => t.target.kind === "android" ? t.target.package : (t.target.command || t.target.process_name || t.target.pid) },
      { title: "Status", cell: (t) => badge(t.status) },
      { title: "Last run", cell: (t) => t.last_run_id ? h("a", { href: `#/monitor/runs/${t.last_run_id}` }, when(t.last_run_at)) : "never" },
      { title: "Verdict", cell: (t) => lastVerdict(t) },
    ], tasks, { emptyText: "No monitoring tasks yet: make a profile (and a script), then a task below." });
    try {
      if (first) await load(tasksBox, () => api.get(`/monitor/tasks${query({ limit: 100 })}`), render, "Loading tasks");
      else replace(tasksBox, render(await api.get(`/monitor/tasks${query({ limit: 100 })}`)));
    } catch (error) {
      replace(tasksBox, errorBox(error));
    }
    timer = setTimeout(() => showTasks(false), 3000);  // statuses change as runners work
  };

  const profileFeedback = h("div#profile-feedback");
  let catalog = [];
  const editProfile = (profile) => replace(profileFeedback, h("div.card#edit-profile", h("h3", `Edit ${profile.name}`),
    profileForm(api, catalog, () => { replace(profileFeedback); refreshAll(); }, profile)));
  const deleteProfile = async (profile) => {
    if (!confirm(`Delete the profile ${profile.name}?`)) return;
    try {
      await api.del(`/monitor/profiles/${profile.profile_id}`);
      await refreshAll();
    } catch (error) {  // a profile a task uses stays: the answer says which task
      replace(profileFeedback, h("p.bad", `Cannot delete ${profile.name}: ${detailText(error.detail ?? error.message)}`));
    }
  };
  const refreshAll = async () => {
    const [items, profiles, scripts] = await Promise.all([
      load(catalogList, () => api.get("/monitor/items"), (all) => table([
        { title: "Metric", cell: (m) => h("code", m.name) }, { title: "Title", cell: (m) => m.title },
        { title: "Unit", cell: (m) => m.unit }, { title: "Source", cell: (m) => m.source },
        { title: "Category", cell: (m) => m.category }, { title: "Interval", cell: (m) => `${m.default_interval_ms} ms (min ${m.min_interval_ms})` },
      ], all)),
      load(profilesBox, () => api.get(`/monitor/profiles${query({ limit: 100 })}`), (all) => h("div", table([
        { title: "Profile", cell: (p) => p.name },
        { title: "Metrics", cell: (p) => p.items.map((i) => i.metric).join(", ") },
        { title: "Thresholds", cell: (p) => p.items.flatMap((i) => i.thresholds.map((t) => `${i.metric} ${t.stat} ${t.op} ${t.value}`)).join("; ") || "—" },
        { title: "", cell: (p) => h("span.row",
          h("button.small.edit-profile", { onclick: () => editProfile(p) }, "Edit"),
          h("button.small.danger.delete-profile", { onclick: () => deleteProfile(p) }, "Delete")) },
      ], all, { emptyText: "No profiles yet." }), profileFeedback)),
      load(scriptsBox, () => api.get(`/monitor/scripts${query({ limit: 100 })}`), (all) => table([
        { title: "Script", cell: (s) => h("a", { href: `#/monitor/scripts/${s.script_id}` }, s.name) },
        { title: "Kind", cell: (s) => s.kind }, { title: "Version", cell: (s) => s.latest_version ?? s.version ?? "—" },
        { title: "Updated", cell: (s) => when(s.updated_at) },
      ], all, { emptyText: "No scripts yet." })),
    ]);
    catalog = items || [];
    if (items && profiles && scripts) {
      // Folded until wanted: the list is what a tester comes for.
      replace(formsBox,
        h("details.card#new-monitor-task", h("summary", h("strong", "New monitoring task")),
          taskForm(api, profiles, scripts, () => {})),
        h("details.card#new-profile", h("summary", h("strong", "New profile")), profileForm(api, items, refreshAll)));
    }
  };
  await Promise.all([showTasks(true), refreshAll()]);
}

const EXAMPLE = `- mark: start
- launch_app: com.example.shop
- wait_for_text: {text: Home, timeout: 10}
- mark: home shown
- repeat:
    times: 5
    steps:
      - swipe: {direction: up, duration_ms: 300}
      - wait: 0.5
`;

/** A textarea with a line-number gutter whose lines carry the validator's messages. */
export async function scriptScreen({ api, root, params, onLeave }) {
  const isNew = !params.id;
  const stored = isNew ? null : await load(root, () => api.get(`/monitor/scripts/${params.id}`), () => h("div"), "Loading the script");
  if (!isNew && !stored) return;
  const name = h("input#script-name", { value: stored?.name || "", placeholder: "script name" });
  const kind = h("select#script-kind", ["yaml", "python"].map((k) => h("option", { value: k, selected: stored?.kind === k }, k)));
  const editor = h("textarea#script-editor", { spellcheck: false, value: stored?.content ?? EXAMPLE, rows: 18 });
  const gutter = h("div.gutter");
  const messages = h("ul.messages#script-messages");
  const status = h("p.validation#script-validity");
  const feedback = h("div");
  let errors = [];
  let timer = null;
  onLeave(() => clearTimeout(timer));

  function drawGutter() {
    const count = editor.value.split("\n").length;
    const bad = new Map(errors.map((e) => [e.line, e.message]));
    replace(gutter, Array.from({ length: count }, (_, i) => h(`div${bad.has(i + 1) ? ".bad" : ""}`, { title: bad.get(i + 1) || "" }, String(i + 1))));
    gutter.scrollTop = editor.scrollTop;
  }
  async function validate() {
    try {
      const answer = await api.post("/monitor/scripts/validate", { kind: kind.value, content: editor.value });
      errors = answer.errors || [];
      status.className = `validation ${answer.valid ? "ok" : "bad"}`;
      status.textContent = answer.valid ? `Valid${answer.steps != null ? `: ${answer.steps} steps` : ""}` : `${errors.length} problem(s)`;
      replace(messages, errors.map((e) => h("li", { onclick: () => goToLine(e.line) },
        h("strong", `line ${e.line}${e.column ? `:${e.column}` : ""}`), ` ${e.message}`)));
    } catch (error) {
      status.className = "validation bad";
      status.textContent = detailText(error.detail ?? error.message);
    }
    drawGutter();
  }
  function goToLine(line) {
    const lines = editor.value.split("\n");
    const start = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
    editor.focus();
    editor.setSelectionRange(start, start + (lines[line - 1] || "").length);
  }
  editor.addEventListener("input", () => { drawGutter(); clearTimeout(timer); timer = setTimeout(validate, 400); });
  editor.addEventListener("scroll", () => { gutter.scrollTop = editor.scrollTop; });
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Tab") {  // two spaces, as YAML wants, instead of leaving the editor
      event.preventDefault();
      editor.setRangeText("  ", editor.selectionStart, editor.selectionEnd, "end");
      editor.dispatchEvent(new Event("input"));
    }
  });
  kind.addEventListener("change", validate);
  const versions = h("div");
  const save = h("button.primary#save-script", { onclick: async () => {
    try {
      const saved = isNew
        ? await api.post("/monitor/scripts", { name: name.value, kind: kind.value, content: editor.value })
        : await api.put(`/monitor/scripts/${params.id}`, { name: name.value, content: editor.value });
      replace(feedback, h("p.ok", `Saved version ${saved.version ?? ""}`));
      if (isNew) location.hash = `#/monitor/scripts/${saved.script_id}`;
      else showVersions();
    } catch (error) {
      if (Array.isArray(error.detail)) { errors = error.detail; drawGutter(); }
      say(feedback, error);
    }
  } }, isNew ? "Save" : "Save as new version");
  function showVersions() {
    if (isNew) return undefined;
    return load(versions, () => api.get(`/monitor/scripts/${params.id}/versions`), (all) => table([
      { title: "Version", cell: (v) => v.version }, { title: "By", cell: (v) => v.created_by || "—" },
      { title: "When", cell: (v) => when(v.created_at) },
    ], all));
  }
  replace(root, h("p", h("a", { href: "#/monitor" }, "← Monitoring")),
    h("h1", isNew ? "New scenario script" : `Script: ${stored.name}`),
    h("div.card", h("div.row", field("Name", name), field("Kind", kind), save), feedback,
      h("div.editor", gutter, editor), status, messages),
    isNew ? null : h("div.card", h("h2", "Versions"), versions));
  drawGutter();
  await Promise.all([validate(), showVersions()]);
}

export async function monitorTaskScreen({ api, root, params, onLeave }) {
  const task = await load(root, () => api.get(`/monitor/tasks/${params.id}`), () => h("div"), "Loading the task");
  if (!task) return;
  const runsBox = h("div");
  const pick = { a: null, b: null };
  const compare = h("a.button#compare-runs", { href: "#", onclick: (event) => {
    if (!pick.a || !pick.b) { event.preventDefault(); alert("tick two runs to compare"); }
  } }, "Compare the two ticked runs");
  let timer = null;
  onLeave(() => clearTimeout(timer));
  const ticked = new Set();
  const showRuns = async () => {
    try {
      const [runs, latest] = await Promise.all([api.get(`/monitor/tasks/${params.id}/runs${query({ limit: 50 })}`),
        api.get(`/monitor/tasks/${params.id}`)]);
      replace(verdictBox, lastVerdict(latest));
      replace(statusBox, badge(latest.status));
      replace(runsBox, table([
        { title: "", cell: (r) => h("input", { type: "checkbox", checked: ticked.has(r.run_id), onchange: (event) => {
          if (event.target.checked) ticked.add(r.run_id); else ticked.delete(r.run_id);
          [pick.a, pick.b] = [...ticked].slice(-2);
          compare.href = pick.a && pick.b ? `#/monitor/compare?a=${pick.a}&b=${pick.b}` : "#";
        } }) },
        { title: "Run", cell: (r) => h("a.run-link", { href: `#/monitor/runs/${r.run_id}` }, r.run_id.slice(0, 8)) },
        { title: "Status", cell: (r) => badge(r.status) },
        { title: "Verdict", cell: (r) => badge(r.verdict ?? "—") },
        { title: "Started", cell: (r) => when(r.started_at || r.created_at) },
        { title: "Batches", cell: (r) => r.batches },
        { title: "Reason", cell: (r) => r.failure_reason || "" },
      ], runs, { emptyText: "No runs yet: start one below." }));
    } catch (error) {
      replace(runsBox, errorBox(error));
    }
    timer = setTimeout(showRuns, 2000);
  };
  // The task holds ids: a tester knows the profile and the script by name (and the version it runs).
  const [profile, script] = await Promise.all([
    api.get(`/monitor/profiles/${task.profile_id}`).catch(() => null),
    task.script_id ? api.get(`/monitor/scripts/${task.script_id}`).catch(() => null) : null]);
  const scriptText = script
    ? `${script.name} (${task.script_version ? `version ${task.script_version}` : `latest: version ${script.version}`})`
    : task.script_id ? `${task.script_id.slice(0, 8)} (deleted)` : "none";
  const verdictBox = h("dd#task-verdict", lastVerdict(task));
  const statusBox = h("span#task-status", badge(task.status));
  const target = task.target.kind === "android" ? `Android ${task.target.package}${task.target.device_serial ? ` on ${task.target.device_serial}` : ""}`
    : `process: ${task.target.command || task.target.process_name || task.target.pid}`;
  replace(root, h("p", h("a", { href: "#/monitor" }, "← Monitoring")),
    h("h1", task.name, " ", statusBox),
    h("div.card", h("dl.facts",
      h("dt", "Target"), h("dd", target), h("dt", "Profile"), h("dd#task-profile", profile ? profile.name : `${task.profile_id.slice(0, 8)} (deleted)`),
      h("dt", "Script"), h("dd#task-script", script ? h("a", { href: `#/monitor/scripts/${task.script_id}` }, scriptText) : scriptText),
      h("dt", "Time limit"), h("dd", seconds(task.duration_limit_s, 0)), h("dt", "Last verdict"), verdictBox)),
    runnerPanel(api, task),
    h("div.card", h("div.row", h("h2", "Runs"), compare), runsBox));
  await showRuns();
}
