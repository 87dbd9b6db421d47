// The runs this desktop app started: one runner per task at a time, each with an id the console
// holds to stream and stop it. Kept apart from Electron so the rules are tested with node's runner.
"use strict";

const { runnerCommand, startProcess } = require("./processes");

class RunnerRegistry {
  constructor({ frameMetric, spawn, env } = {}) {
    this.frameMetric = frameMetric || "frame-metric";
    this.spawn = spawn;
    this.env = env;
    this.running = new Map(); // handle id -> {taskId, process}
    this.nextId = 1;
  }

  /** Start `frame-metric run TASK --api URL`; onLine(stream, line), onExit(code). Returns the handle id. */
  start(taskId, api, onLine, onExit) {
    for (const entry of this.running.values()) {
      if (entry.taskId === taskId) throw new Error(`a runner for task ${taskId} is already running here`);
    }
    const spec = runnerCommand(this.frameMetric, taskId, api);
    const id = this.nextId++;
    const process = startProcess(spec, {
      spawn: this.spawn, env: this.env, onLine,
      onExit: (code, signal) => {
        this.running.delete(id);
        onExit(code, signal);
      },
    });
    this.running.set(id, { taskId, process });
    return id;
  }

  stop(id) {
    const entry = this.running.get(id);
    if (!entry) return false;
    entry.process.stop();
    return true;
  }

  stopAll() {
    for (const id of [...this.running.keys()]) this.stop(id);
  }
}

module.exports = { RunnerRegistry };
