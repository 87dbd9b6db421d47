// Starting a run for a task. In a browser: the command to run on the tester's machine (the runner
// needs adb or the process there). In the desktop app (window.frameMetricDesktop from its preload):
// a button that starts the runner right there and streams its output.
import { h, replace } from "../dom.js";

export function runnerCommand(apiBase, taskId) {
  return `frame-metric run ${taskId} --api ${apiBase}`;
}

export function runnerPanel(api, task) {
  const desktop = globalThis.frameMetricDesktop;
  const command = runnerCommand(api.base, task.task_id);
  if (!desktop) {
    const code = h("code#runner-command", command);
    return h("div.card", h("h2", "Start a run"),
      h("p", "Run this on the machine that has the app (adb or the process); the run appears below and its charts fill live:"),
      h("pre.command", code),
      h("button", { onclick: () => navigator.clipboard?.writeText(command) }, "Copy"),
      h("p.muted", "The desktop app starts it for you."));
  }
  const output = h("pre.runner-output");
  const state = h("span.muted", "idle");
  let handle = null;
  const start = h("button.primary", { onclick: async () => {
    replace(output);
    start.disabled = true;
    state.textContent = "running";
    handle = await desktop.startRunner({ taskId: task.task_id, api: api.base }, (line) => {
      output.append(`${line}\n`);
      output.scrollTop = output.scrollHeight;
    }, (code) => {
      state.textContent = `runner exited with ${code}`;
      start.disabled = false;
      handle = null;
    });
  } }, "Start run on this machine");
  const stop = h("button.danger", { onclick: () => handle && desktop.stopRunner(handle) }, "Stop");
  return h("div.card", h("h2", "Start a run"), h("p", h("code", command)), h("div.row", start, stop, state), output);
}
