"use strict";
// main.js wired to a stand-in for Electron's API (the binary cannot run here): the window opens the
// local serve's console, and only the console's own page may start a runner.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const Module = require("node:module");

function fakeElectron(userData) {
  const handlers = new Map();
  const loaded = [];
  let ready;
  const electron = {
    handlers, loaded,
    whenReadyPromise: new Promise((resolve) => { ready = resolve; }),
    app: {
      whenReady: () => electron.whenReadyPromise, getPath: () => userData,
      on: (event, fn) => handlers.set(`app:${event}`, fn),
      exit: (code) => { throw new Error(`app.exit(${code})`); },
    },
    BrowserWindow: class {
      constructor(options) { this.options = options; this.webContents = { setWindowOpenHandler: () => {} }; }
      async loadURL(url) { loaded.push(url); }
    },
    ipcMain: { handle: (name, fn) => handlers.set(name, fn) },
    dialog: { showErrorBox: (title, text) => { throw new Error(`${title}: ${text}`); } },
    shell: { openExternal: () => {} },
  };
  return { electron, start: () => ready() };
}

test("the window opens the local serve's console, and only that page may start a runner", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fm-main-"));
  const cli = path.join(dir, "frame-metric");
  // serve: one ready line, then wait; run: print the arguments.
  fs.writeFileSync(cli, '#!/bin/sh\nif [ "$1" = serve ]; then echo "frame-metric serving on http://127.0.0.1:8123 (console)"; exec sleep 30; fi\necho "$@"\n', { mode: 0o755 });
  const { electron, start } = fakeElectron(dir);
  const original = Module._load;
  Module._load = function load(request, ...rest) {
    return request === "electron" ? electron : original.call(this, request, ...rest);
  };
  process.env.FRAME_METRIC_BIN = cli;
  try {
    require("../src/main.js");
    start();
    for (let i = 0; i < 100 && !electron.loaded.length; i += 1) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(electron.loaded, ["http://127.0.0.1:8123/console/"]);
    const startRunner = electron.handlers.get("runner:start");
    const sent = [];
    const sender = { isDestroyed: () => false, send: (channel, message) => sent.push([channel, message]) };
    assert.throws(() => startRunner({ senderFrame: { url: "https://elsewhere.example.com/" }, sender }, { taskId: "t1" }), /not the console/);
    const id = startRunner({ senderFrame: { url: "http://127.0.0.1:8123/console/#/monitor/tasks/t1" }, sender }, { taskId: "t1" });
    assert.equal(typeof id, "number");
    for (let i = 0; i < 100 && !sent.some(([channel]) => channel === "runner:exit"); i += 1) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(sent, [
      ["runner:line", { taskId: "t1", stream: "stdout", line: "run t1 --api http://127.0.0.1:8123" }],
      ["runner:exit", { taskId: "t1", code: 0 }]]);
  } finally {
    electron.handlers.get("app:before-quit")?.();  // stops the serve it started
    Module._load = original;
    delete process.env.FRAME_METRIC_BIN;
  }
});
