// Electron main process: opens the console (a local `frame-metric serve`, or a configured URL) and
// starts runners on this machine for the console's "Start run" button. The logic lives in plain
// modules (settings, processes, runs) that node's test runner covers; this file only wires Electron.
"use strict";

const path = require("node:path");
const { app, BrowserWindow, ipcMain, dialog, shell } = require("electron");
const { resolveSettings, readSettingsFile, consolePage, apiBase, runnerEnv } = require("./settings");
const { serveCommand, startServe } = require("./processes");
const { RunnerRegistry } = require("./runs");

let serve = null;
let runners = null;

async function openWindow() {
  const file = path.join(app.getPath("userData"), "settings.json");
  const { settings, problems } = resolveSettings(readSettingsFile(file), process.env);
  if (problems.length) {
    dialog.showErrorBox("frame-metric settings", `${problems.join("\n")}\n\n(${file})`);
    app.exit(2);
    return;
  }
  let localBase = "";
  if (settings.mode === "local") {
    try {
      serve = await startServe(serveCommand(settings.frameMetric, settings.port, settings.dataDir),
        { onLine: (stream, line) => console.log(`[serve ${stream}] ${line}`) });
      localBase = serve.url;
    } catch (error) {
      dialog.showErrorBox("frame-metric serve", `${error.message}\n\nIs frame-metric installed (${settings.frameMetric})? `
        + `Set "frameMetric" in ${file}, or use "mode": "url" with a deployed console.`);
      app.exit(2);
      return;
    }
  }
  runners = new RunnerRegistry({ frameMetric: settings.frameMetric, env: runnerEnv(settings) });
  const api = apiBase(settings, localBase);
  const window = new BrowserWindow({
    width: 1400, height: 900, title: "frame-metric",
    webPreferences: { preload: path.join(__dirname, "preload.js"), contextIsolation: true, sandbox: true },
  });
  const page = consolePage(settings, localBase);
  const allowedOrigin = new URL(page).origin;
  // Links elsewhere (exports, docs) open in the user's browser, never inside the app.
  window.webContents.setWindowOpenHandler(({ url }) => { shell.openExternal(url); return { action: "deny" }; });

  ipcMain.handle("runner:start", (event, { taskId }) => {
    if (new URL(event.senderFrame.url).origin !== allowedOrigin) throw new Error("not the console");
    const sender = event.sender;
    return runners.start(taskId, api,
      (stream, line) => !sender.isDestroyed() && sender.send("runner:line", { taskId, stream, line }),
      (code) => !sender.isDestroyed() && sender.send("runner:exit", { taskId, code }));
  });
  ipcMain.handle("runner:stop", (event, id) => runners.stop(id));
  await window.loadURL(page);
}

app.whenReady().then(openWindow);
app.on("window-all-closed", () => app.quit());
app.on("before-quit", () => {
  if (runners) runners.stopAll();
  if (serve) serve.handle.stop();
});
