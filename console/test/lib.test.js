import test from "node:test";
import assert from "node:assert/strict";
import { Selection, scoreHeights } from "../src/lib/filmstrip.js";
import { LiveSeries, aligned, jankTimes, groupMetrics, mergedMarks, iterationGroups } from "../src/lib/live.js";
import { placeLabels, ROWS } from "../src/lib/labels.js";
import { parseRoute, href } from "../src/lib/route.js";
import { resolveApiBase, detailText, makeClient, query, ApiError, attachmentName } from "../src/lib/http.js";
import { seconds, bytes, percent, fps } from "../src/lib/format.js";

const frames = Array.from({ length: 30 }, (_, i) => ({ id: `f${i}`, frame_number: i, timestamp: i / 30, scene_change_score: i % 7 }));

test("the filmstrip cursor starts on the marked first frame and steps within the ends", () => {
  const selection = new Selection([...frames].reverse(), frames[5], frames[20]);
  assert.equal(selection.current.id, "f5");
  assert.equal(selection.duration, 0.5);
  selection.step(-10);
  assert.equal(selection.cursor, 0);
  selection.step(100);
  assert.equal(selection.current.id, "f29");
});

test("picking first and last gives the new duration, and a last before the first is refused", () => {
  const selection = new Selection(frames, frames[5], frames[20]);
  selection.jumpTo("f3");
  selection.pickFirst();
  selection.step(24);
  selection.pickLast();
  assert.equal(selection.duration, 0.8);
  assert.equal(selection.problem, null);
  selection.jumpTo("f1");
  selection.pickLast();
  assert.match(selection.problem, /after the first/);
  assert.equal(new Selection(frames).problem, "pick a first frame (F)");
});

test("score bars are relative to the largest score, and all-zero scores do not divide by zero", () => {
  assert.deepEqual(scoreHeights([{ scene_change_score: 1 }, { scene_change_score: 4 }]), [0.25, 1]);
  assert.deepEqual(scoreHeights([{ scene_change_score: 0 }, {}]), [0, 0]);
});

test("live chunks append in time order and keep the latest cursor", () => {
  const live = new LiveSeries();
  assert.equal(live.append({ cursor: 2, series: { app_cpu: [[1, 10], [2, 20]] }, marks: [{ t: 1.5, name: "b" }] }), 2);
  assert.equal(live.append({ cursor: 3, series: { app_cpu: [[0.5, 5]], memory_rss: [[2, 100]] }, marks: [{ t: 0.2, name: "a" }] }), 2);
  assert.equal(live.append({ cursor: 3, series: {}, marks: [] }), 0);
  assert.equal(live.cursor, 3);
  assert.deepEqual(live.points("app_cpu").map(([t]) => t), [0.5, 1, 2]);
  assert.deepEqual(live.marks.map((m) => m.name), ["a", "b"]);
  assert.deepEqual(aligned(live, ["app_cpu", "memory_rss"]), [[0.5, 1, 2], [5, 10, 20], [null, null, 100]]);
});

test("jank: the sampler's counts only, never the rule again over per-read frame-time means", () => {
  const live = new LiveSeries();
  live.append({ series: { frame_time: [[1, 16], [2, 17], [3, 16], [4, 90], [5, 16], [6, 16], [7, 16], [8, 140]],
    jank: [[2.5, 0], [3.5, 2]], big_jank: [[8.5, 1]] } });
  assert.deepEqual(jankTimes(live), [{ t: 3.5, big: false }, { t: 8.5, big: true }]);
});

test("metrics are grouped by what they measure, unknown ones on charts of their own", () => {
  const groups = groupMetrics(["app_cpu", "memory_rss", "threads", "system_cpu", "net_rx", "fps", "cpu_temperature"]);
  assert.deepEqual(groups.map((g) => [g.title, g.metrics]), [
    ["CPU", ["app_cpu", "system_cpu"]], ["Memory", ["memory_rss"]], ["FPS", ["fps"]], ["Network", ["net_rx"]],
    ["Temperature", ["cpu_temperature"]], ["threads", ["threads"]]]);
});

test("routes: screens with ids and queries, unknown paths, the default", () => {
  assert.deepEqual(parseRoute("#/monitor/runs/abc?x=1"), { screen: "run", params: { id: "abc" }, query: { x: "1" }, path: "/monitor/runs/abc" });
  assert.equal(parseRoute("").screen, "videos");
  assert.equal(parseRoute("#/monitor/scripts/new").screen, "script");
  assert.deepEqual(parseRoute("#/monitor/scripts/new").params, {});
  assert.equal(parseRoute("#/nope/1/2").screen, "not-found");
  assert.equal(href("/videos", { status: "failed", skip: "" }), "#/videos?status=failed");
});

test("the API base: config.json's apiUrl, else the page's origin", () => {
  assert.equal(resolveApiBase({ apiUrl: "https://x.example.com/prod/" }, "http://localhost:8000"), "https://x.example.com/prod");
  assert.equal(resolveApiBase({ apiUrl: "" }, "http://localhost:8000"), "http://localhost:8000");
  assert.equal(resolveApiBase(null, "http://localhost:8000/"), "http://localhost:8000");
});

test("error details read as sentences", () => {
  assert.equal(detailText("video x not found"), "video x not found");
  assert.equal(detailText([{ line: 3, column: 1, message: "unknown step" }, { loc: ["body", "name"], msg: "required" }]),
    "line 3: unknown step; body.name: required");
  assert.equal(query({ a: 1, b: "", c: null, d: "x y" }), "?a=1&d=x%20y");
});

test("the client sends JSON and turns a {detail} answer into an ApiError", async () => {
  const calls = [];
  const fake = async (url, init) => {
    calls.push([url, init.method, init.body]);
    if (url.endsWith("/missing")) return new Response(JSON.stringify({ detail: "no such run" }), { status: 404 });
    return new Response(JSON.stringify({ ok: true }), { status: 200 });
  };
  const api = makeClient("http://h", fake);
  assert.deepEqual(await api.post("/x", { a: 1 }), { ok: true });
  assert.deepEqual(calls[0], ["http://h/api/v1/x", "POST", "{\"a\":1}"]);
  await assert.rejects(api.get("/missing"), (error) => error instanceof ApiError && error.status === 404 && error.detail === "no such run");
  const down = makeClient("http://h", async () => { throw new TypeError("fetch failed"); });
  await assert.rejects(down.get("/x"), /cannot reach the API at http:\/\/h/);
});

test("a 403 asks for the API key once and sends it from then on", async () => {
  const seen = [];
  const fake = async (url, init) => {
    seen.push(init.headers["x-api-key"] ?? null);
    return init.headers["x-api-key"] === "k1"
      ? new Response(JSON.stringify({ ok: true }), { status: 200 })
      : new Response(JSON.stringify({ detail: "Forbidden: an API key is needed" }), { status: 403 });
  };
  let key = null;
  let asked = 0;
  const keys = { get: () => key, ask: async () => { asked += 1; key = "k1"; return key; } };
  const api = makeClient("http://h", fake, keys);
  assert.deepEqual(await api.get("/x"), { ok: true });
  assert.deepEqual(await api.get("/y"), { ok: true });
  assert.deepEqual(seen, [null, "k1", "k1"]);
  assert.equal(asked, 1);
  assert.deepEqual(api.authHeaders(), { "x-api-key": "k1" });
  const refused = makeClient("http://h", fake, { get: () => null, ask: async () => null });
  await assert.rejects(refused.get("/x"), (error) => error.status === 403 && /API key/.test(error.detail));
});

test("export file names come from Content-Disposition, Chinese names included", () => {
  assert.equal(attachmentName(`attachment; filename="task_timing_data_20261130.xlsx"; filename*=UTF-8''${encodeURIComponent("冷启动_timing_data_20261130.xlsx")}`),
    "冷启动_timing_data_20261130.xlsx");
  assert.equal(attachmentName('attachment; filename="run.csv"'), "run.csv");
  assert.equal(attachmentName(null), "download");
});

test("formatting", () => {
  assert.equal(seconds(1.23456), "1.235 s");
  assert.equal(seconds(null), "—");
  assert.equal(bytes(1536), "1.5 KB");
  assert.equal(percent(0.853), "85%");
});

test("marks at (almost) the same time share one label", () => {
  assert.deepEqual(mergedMarks([{ t: 1, name: "step 1 wait end" }, { t: 1.01, name: "login" }, { t: 2, name: "step 2 tap start" }, { t: 3, name: "done" }]), [
    { t: 1, label: "login", step: false, title: "step 1 wait end · login" },
    { t: 2, label: "", step: true, title: "step 2 tap start" },
    { t: 3, label: "done", step: false, title: "done" }]);
});

test("frame rates read rounded, and variable ones say so", () => {
  assert.equal(fps(60.010086), "60 fps");
  assert.equal(fps(29.97), "30 fps");
  assert.equal(fps(59.94), "59.9 fps");
  assert.equal(fps(43.2, true), "~43.2 fps (variable)");
  assert.equal(fps(null), "? fps");
});

test("mark labels never overlap each other nor leave the plot", () => {
  const notes = Array.from({ length: 12 }, (_, i) => ({ t: i * 0.2, label: `mark number ${i}` }));
  const placed = placeLabels(notes, (t) => 60 + t * 100, (text) => text.length * 6, 60, 400, 3);
  const spans = placed.map(({ note, row, x, align }) => {
    const width = note.label.length * 6;
    return { row, start: align === "left" ? x : x - width, end: align === "left" ? x + width : x };
  });
  for (const span of spans) {
    assert.ok(span.start >= 60 && span.end <= 400, JSON.stringify(span));
    assert.ok(span.row >= 1 && span.row <= ROWS);
  }
  for (const a of spans) for (const b of spans) {
    if (a !== b && a.row === b.row) assert.ok(a.end <= b.start || b.end <= a.start, JSON.stringify([a, b]));
  }
  assert.ok(placed.length >= 4);  // as many as fit are shown
  // A label at the right edge goes before its line.
  const [edge] = placeLabels([{ t: 3.3, label: "late" }], (t) => 60 + t * 100, () => 24, 60, 400, 3);
  assert.equal(edge.align, "right");
});

test("iterated marks: step and iteration-end marks unlabelled, an iteration's start labelled short", () => {
  const merged = mergedMarks([{ t: 0, name: "iteration 1/2 start" }, { t: 0, name: "iteration 1/2 step 1 tap start" },
    { t: 1, name: "iteration 1/2 step 1 tap end" }, { t: 1, name: "iteration 1/2 logged in" },
    { t: 2, name: "iteration 1/2 end" }, { t: 2, name: "iteration 2/2 start" }, { t: 3, name: "end" }]);
  assert.deepEqual(merged.map((m) => m.label), ["iteration 1/2", "logged in", "iteration 2/2", "end"]);
});

test("segments group by iteration, labelled without the prefix", () => {
  const groups = iterationGroups([{ name: "open" }, { name: "iteration 1/2 step 1 tap start" },
    { name: "iteration 2/2 step 1 tap start" }, { name: "iteration 2/2 end" }]);
  assert.deepEqual(groups.map((g) => [g.title, g.segments.map((s) => s.label)]),
    [[null, ["open"]], ["Iteration 1 of 2", ["step 1 tap start"]], ["Iteration 2 of 2", ["step 1 tap start", "end"]]]);
});
