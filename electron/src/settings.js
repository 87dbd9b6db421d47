// The desktop app's settings: where the console and the API are, and how to call frame-metric.
// Kept in settings.json in the app's user-data folder; environment variables win (handy for testers).
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const DEFAULTS = Object.freeze({
  // "local": start `frame-metric serve` and use it; "url": a deployed console and API.
  mode: "local",
  consoleUrl: "",          // mode "url": the console's address (static site or another serve's /console/)
  apiUrl: "",              // mode "url": the API's address; empty: the console's origin
  frameMetric: "frame-metric", // the CLI (on PATH, or a full path, e.g. a project's .venv/bin/frame-metric)
  port: 8000,
  dataDir: "",             // mode "local": serve's --data-dir; empty: its default
  apiKey: "",              // a closed stack's API key, handed to the runner (FRAME_METRIC_API_KEY)
});

function isHttpUrl(text) {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** Defaults, then the file's values, then the environment's; every value checked. */
function resolveSettings(fromFile = {}, env = {}) {
  const merged = { ...DEFAULTS, ...pick(fromFile) };
  if (env.FRAME_METRIC_CONSOLE_URL) Object.assign(merged, { mode: "url", consoleUrl: env.FRAME_METRIC_CONSOLE_URL });
  if (env.FRAME_METRIC_API_URL) merged.apiUrl = env.FRAME_METRIC_API_URL;
  if (env.FRAME_METRIC_BIN) merged.frameMetric = env.FRAME_METRIC_BIN;
  if (env.FRAME_METRIC_API_KEY) merged.apiKey = env.FRAME_METRIC_API_KEY;
  const problems = [];
  if (!["local", "url"].includes(merged.mode)) problems.push(`mode must be "local" or "url", not ${JSON.stringify(merged.mode)}`);
  if (merged.mode === "url" && !isHttpUrl(merged.consoleUrl)) problems.push(`consoleUrl must be an http(s) URL, not ${JSON.stringify(merged.consoleUrl)}`);
  if (merged.apiUrl && !isHttpUrl(merged.apiUrl)) problems.push(`apiUrl must be an http(s) URL, not ${JSON.stringify(merged.apiUrl)}`);
  const port = Number(merged.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`port must be 1-65535, not ${JSON.stringify(merged.port)}`);
  merged.port = port;
  if (typeof merged.apiKey !== "string") problems.push("apiKey must be a string");
  return { settings: merged, problems };
}

function pick(values) {
  const known = {};
  for (const key of Object.keys(DEFAULTS)) if (values && values[key] !== undefined) known[key] = values[key];
  return known;
}

/** The environment the runner gets: the app's, plus the API key when one is set. */
function runnerEnv(settings, env = process.env) {
  return settings.apiKey ? { ...env, FRAME_METRIC_API_KEY: settings.apiKey } : { ...env };
}

function readSettingsFile(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    if (error.code === "ENOENT") return {};
    throw new Error(`cannot read ${file}: ${error.message}`);
  }
}

function writeSettingsFile(file, settings) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(pick(settings), null, 2)}\n`);
}

/** The page the window opens: the console with its API named (?api=) when it is not the console's origin. */
function consolePage(settings, localBase) {
  const base = settings.mode === "local" ? `${localBase}/console/` : settings.consoleUrl;
  const url = new URL(base);
  const api = settings.mode === "local" ? "" : settings.apiUrl;
  if (api) url.searchParams.set("api", api.replace(/\/+$/, ""));
  return url.toString();
}

/** The API the runner talks to. */
function apiBase(settings, localBase) {
  if (settings.mode === "local") return localBase;
  return (settings.apiUrl || new URL(settings.consoleUrl).origin).replace(/\/+$/, "");
}

module.exports = { DEFAULTS, resolveSettings, readSettingsFile, writeSettingsFile, consolePage, apiBase, runnerEnv };
