"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { LineSplitter, runnerCommand, serveCommand, parseServeReady, startProcess, startServe } = require("../src/processes");
const { RunnerRegistry } = require("../src/runs");

/** A stand-in for the frame-metric CLI: a real executable that prints what it was given. */
function fakeCli(body) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fm-cli-"));
  const file = path.join(dir, "frame-metric");
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

test("lines are whole however the chunks fall", () => {
  const lines = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  splitter.push("sam");
  splitter.push("ples 10\nsamples 2");
  splitter.push("0\r\nstep 3\rdone");
  splitter.flush();
  assert.deepEqual(lines, ["samples 10", "samples 20", "step 3", "done"]);
});

test("the runner command carries the task and the API, never anything else", () => {
  assert.deepEqual(runnerCommand("frame-metric", "3f1c-77ab", "http://127.0.0.1:8000/"),
    { command: "frame-metric", args: ["run", "3f1c-77ab", "--api", "http://127.0.0.1:8000"] });
  assert.throws(() => runnerCommand("frame-metric", "x; rm -rf /", "http://127.0.0.1:8000"), /not a task id/);
  assert.throws(() => runnerCommand("frame-metric", "--help", "http://127.0.0.1:8000"), /not a task id/);
  assert.throws(() => runnerCommand("frame-metric", "abc", "file:///etc"), /http/);
  assert.deepEqual(serveCommand("fm", 8123, "/data").args, ["serve", "--port", "8123", "--data-dir", "/data"]);
});

test("serve's ready line gives its URL", () => {
  assert.equal(parseServeReady("frame-metric serving on http://127.0.0.1:8000 (API docs http://127.0.0.1:8000/docs; ...)"),
    "http://127.0.0.1:8000");
  assert.equal(parseServeReady("starting..."), null);
});

test("a child's output arrives line by line and its exit code at the end", async () => {
  const lines = [];
  const code = await new Promise((resolve) => {
    startProcess({ command: process.execPath, args: ["-e", "console.log('one'); console.error('two'); process.exit(3)"] },
      { onLine: (stream, line) => lines.push(`${stream}:${line}`), onExit: resolve });
  });
  assert.equal(code, 3);
  assert.deepEqual(lines.sort(), ["stderr:two", "stdout:one"]);
});

test("stop asks with SIGINT first, as Ctrl-C does, and kills only after the grace time", async () => {
  const script = "process.on('SIGINT', () => { console.log('finishing the run'); process.exit(0); }); console.log('up'); setInterval(() => {}, 1000);";
  const lines = [];
  let handle;
  const code = await new Promise((resolve) => {
    handle = startProcess({ command: process.execPath, args: ["-e", script] }, {
      onLine: (_stream, line) => { lines.push(line); if (line === "up") handle.stop(); },
      onExit: resolve, graceMs: 5000 });
  });
  assert.equal(code, 0);
  assert.deepEqual(lines, ["up", "finishing the run"]);
});

test("startServe resolves with the URL from the ready line, and rejects when serve dies first", async () => {
  const good = fakeCli('echo "frame-metric serving on http://127.0.0.1:8123 (console ...)"; exec sleep 30');
  const { url, handle } = await startServe(serveCommand(good, 8123, ""));
  assert.equal(url, "http://127.0.0.1:8123");
  handle.stop();
  const bad = fakeCli('echo "cannot start the local cloud" >&2; exit 1');
  await assert.rejects(startServe(serveCommand(bad, 8123, "")), /exited with 1 before it was ready/);
});

test("the registry runs one runner per task, streams it, and forgets it when it ends", async () => {
  const cli = fakeCli('echo "args: $@"; sleep 0.3; echo "summary: completed"');
  const registry = new RunnerRegistry({ frameMetric: cli });
  const lines = [];
  const ended = new Promise((resolve) => {
    registry.start("task-1", "http://127.0.0.1:9/", (_s, line) => lines.push(line), resolve);
  });
  assert.throws(() => registry.start("task-1", "http://127.0.0.1:9", () => {}, () => {}), /already running/);
  assert.equal(await ended, 0);
  assert.deepEqual(lines, ["args: run task-1 --api http://127.0.0.1:9", "summary: completed"]);
  assert.equal(registry.running.size, 0);
  assert.equal(registry.stop(12345), false);
});
