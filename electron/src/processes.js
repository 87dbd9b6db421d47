// Child processes of the desktop app: `frame-metric serve` (the local console and API) and
// `frame-metric run TASK_ID --api URL` (a monitoring run on this machine), with their output as lines.
"use strict";

const { spawn: nodeSpawn } = require("node:child_process");

// Task ids are UUIDs; anything else never reaches a command line.
const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Splits a stream of chunks into whole lines (a chunk may end mid-line). */
class LineSplitter {
  constructor(onLine) {
    this.onLine = onLine;
    this.rest = "";
  }

  push(chunk) {
    const text = this.rest + chunk.toString();
    const parts = text.split(/\r?\n|\r/);
    this.rest = parts.pop();
    for (const line of parts) this.onLine(line);
  }

  flush() {
    if (this.rest) this.onLine(this.rest);
    this.rest = "";
  }
}

function runnerCommand(frameMetric, taskId, api) {
  if (!TASK_ID.test(String(taskId))) throw new Error(`not a task id: ${JSON.stringify(taskId)}`);
  const url = new URL(api);  // throws on a bad URL
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`the API must be http(s): ${api}`);
  return { command: frameMetric, args: ["run", String(taskId), "--api", api.replace(/\/+$/, "")] };
}

function serveCommand(frameMetric, port, dataDir) {
  const args = ["serve", "--port", String(port)];
  if (dataDir) args.push("--data-dir", dataDir);
  return { command: frameMetric, args };
}

/** serve prints one line once it is ready: "frame-metric serving on http://127.0.0.1:8000 (...)". */
function parseServeReady(line) {
  const found = /serving on (https?:\/\/[^\s)]+)/.exec(line);
  return found ? found[1] : null;
}

/**
 * Start a child; every stdout/stderr line goes to onLine(stream, line), onExit(code, signal) at the end.
 * Returns {stop(), pid}: stop() asks politely (SIGINT: the runner finishes the run and prints its summary),
 * then kills after `graceMs`.
 */
function startProcess({ command, args }, { onLine, onExit, spawn = nodeSpawn, env = process.env, graceMs = 15000 }) {
  const child = spawn(command, args, { env: { ...env, PYTHONUNBUFFERED: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  const out = new LineSplitter((line) => onLine("stdout", line));
  const err = new LineSplitter((line) => onLine("stderr", line));
  child.stdout.on("data", (chunk) => out.push(chunk));
  child.stderr.on("data", (chunk) => err.push(chunk));
  let killer = null;
  let exited = false;
  child.on("error", (error) => {
    onLine("stderr", `cannot start ${command}: ${error.message}`);
  });
  child.on("close", (code, signal) => {
    exited = true;
    clearTimeout(killer);
    out.flush();
    err.flush();
    onExit(code, signal);
  });
  return {
    pid: child.pid,
    stop() {
      if (exited) return;
      child.kill("SIGINT");
      killer = setTimeout(() => { if (!exited) child.kill("SIGKILL"); }, graceMs);
    },
  };
}

/** Start serve and resolve with its URL once its ready line arrives (reject if it exits first). */
function startServe(spec, { onLine = () => {}, spawn, env, timeoutMs = 120000 } = {}) {
  return new Promise((resolve, reject) => {
    let ready = false;
    let timer = null;
    const handle = startProcess(spec, {
      spawn, env,
      onLine: (stream, line) => {
        onLine(stream, line);
        const url = !ready && stream === "stdout" ? parseServeReady(line) : null;
        if (url) {
          ready = true;
          clearTimeout(timer);
          resolve({ url, handle });
        }
      },
      onExit: (code) => {
        if (!ready) {
          clearTimeout(timer);
          reject(new Error(`frame-metric serve exited with ${code} before it was ready`));
        }
      },
    });
    timer = setTimeout(() => {
      if (!ready) { handle.stop(); reject(new Error("frame-metric serve did not become ready in time")); }
    }, timeoutMs);
  });
}

module.exports = { LineSplitter, runnerCommand, serveCommand, parseServeReady, startProcess, startServe, TASK_ID };
