// The console's bridge to the desktop app: start and stop a runner, and its output line by line.
"use strict";

const { contextBridge, ipcRenderer } = require("electron");

const listeners = new Map(); // taskId -> {onLine, onExit}
ipcRenderer.on("runner:line", (_event, { taskId, stream, line }) => listeners.get(taskId)?.onLine(line));
ipcRenderer.on("runner:exit", (_event, { taskId, code }) => {
  listeners.get(taskId)?.onExit(code);
  listeners.delete(taskId);
});

contextBridge.exposeInMainWorld("frameMetricDesktop", {
  async startRunner({ taskId }, onLine, onExit) {
    listeners.set(taskId, { onLine, onExit });
    try {
      return await ipcRenderer.invoke("runner:start", { taskId });
    } catch (error) {
      listeners.delete(taskId);
      onLine(`could not start the runner: ${error.message}`);
      onExit(null);
      return null;
    }
  },
  stopRunner: (id) => ipcRenderer.invoke("runner:stop", id),
});
