"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { resolveSettings, readSettingsFile, writeSettingsFile, consolePage, apiBase, runnerEnv } = require("../src/settings");

test("defaults start a local serve", () => {
  const { settings, problems } = resolveSettings({}, {});
  assert.deepEqual(problems, []);
  assert.equal(settings.mode, "local");
  assert.equal(consolePage(settings, "http://127.0.0.1:8000"), "http://127.0.0.1:8000/console/");
  assert.equal(apiBase(settings, "http://127.0.0.1:8000"), "http://127.0.0.1:8000");
});

test("a deployed console names its API in the page address", () => {
  const { settings } = resolveSettings({ mode: "url", consoleUrl: "https://console.example.com/", apiUrl: "https://api.example.com/prod/" }, {});
  assert.equal(consolePage(settings, ""), "https://console.example.com/?api=https%3A%2F%2Fapi.example.com%2Fprod");
  assert.equal(apiBase(settings, ""), "https://api.example.com/prod");
});

test("without an apiUrl the console's origin is the API", () => {
  const { settings } = resolveSettings({}, { FRAME_METRIC_CONSOLE_URL: "http://10.0.0.5:8000/console/" });
  assert.equal(settings.mode, "url");
  assert.equal(apiBase(settings, ""), "http://10.0.0.5:8000");
});

test("the environment wins over the file", () => {
  const { settings } = resolveSettings({ frameMetric: "/opt/a/frame-metric" }, { FRAME_METRIC_BIN: "/opt/b/frame-metric" });
  assert.equal(settings.frameMetric, "/opt/b/frame-metric");
});

test("bad values are named, not used", () => {
  const { problems } = resolveSettings({ mode: "cloud", port: 70000, apiUrl: "ftp://x" }, {});
  assert.equal(problems.length, 3);
  assert.match(problems.join("\n"), /mode must be/);
  assert.match(problems.join("\n"), /port must be/);
  assert.match(problems.join("\n"), /apiUrl must be/);
  const url = resolveSettings({ mode: "url", consoleUrl: "not a url" }, {});
  assert.match(url.problems[0], /consoleUrl/);
});

test("the settings file round-trips known keys only; a missing file is empty; a broken one is an error", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fm-settings-"));
  const file = path.join(dir, "nested", "settings.json");
  assert.deepEqual(readSettingsFile(file), {});
  writeSettingsFile(file, { mode: "url", consoleUrl: "https://c.example.com/", secret: "no" });
  assert.deepEqual(readSettingsFile(file), { mode: "url", consoleUrl: "https://c.example.com/" });
  fs.writeFileSync(file, "{broken");
  assert.throws(() => readSettingsFile(file), /cannot read/);
});

test("an API key reaches the runner's environment, the environment's key winning", () => {
  const { settings } = resolveSettings({ apiKey: "from-file" }, { FRAME_METRIC_API_KEY: "from-env" });
  assert.equal(settings.apiKey, "from-env");
  assert.equal(runnerEnv(settings, { PATH: "/bin" }).FRAME_METRIC_API_KEY, "from-env");
  const open = resolveSettings({}, {}).settings;
  assert.equal("FRAME_METRIC_API_KEY" in runnerEnv(open, { PATH: "/bin" }), false);
  assert.deepEqual(resolveSettings({ apiKey: 7 }, {}).problems, ["apiKey must be a string"]);
});
