// The console: reads config.json (a static deploy names its API there), then routes `#/...` to a screen.
import { h, replace, errorBox } from "./dom.js";
import { makeClient, resolveApiBase } from "./lib/http.js";
import { parseRoute } from "./lib/route.js";
import { videosScreen, videoScreen } from "./screens/videos.js";
import { reviewQueueScreen, reviewScreen } from "./screens/review.js";
import { tasksScreen, taskScreen } from "./screens/tasks.js";
import { monitorScreen, scriptScreen, monitorTaskScreen } from "./screens/monitor.js";
import { runScreen, compareScreen } from "./screens/run.js";
import { qrScreen } from "./screens/qr.js";

const SCREENS = {
  videos: videosScreen, video: videoScreen,
  "review-queue": reviewQueueScreen, review: reviewScreen,
  tasks: tasksScreen, task: taskScreen,
  monitor: monitorScreen, script: scriptScreen, "monitor-task": monitorTaskScreen,
  run: runScreen, compare: compareScreen,
  qr: qrScreen,
};

const NAV = [
  ["#/videos", "Videos", ["videos", "video"]],
  ["#/review", "Review", ["review-queue", "review"]],
  ["#/tasks", "Tasks", ["tasks", "task"]],
  ["#/monitor", "Monitoring", ["monitor", "script", "monitor-task", "run", "compare"]],
  ["#/qr", "QR codes", ["qr"]],
];

async function loadConfig() {
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    return response.ok ? await response.json() : {};
  } catch {
    return {};
  }
}

const KEY_STORAGE = "frame-metric.apiKey";

/** The API key: config.json's, else the one this browser was given before; asked for on a 403. */
function browserKeys(config) {
  let key = (typeof config.apiKey === "string" && config.apiKey) || localStorage.getItem(KEY_STORAGE) || null;
  return {
    get: () => key,
    ask: async () => {
      const given = window.prompt("This frame-metric API needs an API key (the stack's ApiKeyId output; "
        + "aws apigateway get-api-key --include-value). Key:");
      if (!given || !given.trim()) return null;
      key = given.trim();
      localStorage.setItem(KEY_STORAGE, key);
      return key;
    },
  };
}

async function start() {
  const config = await loadConfig();
  // The desktop app passes its API in the query (?api=...): a file:// page has no origin to use.
  const fromQuery = new URLSearchParams(location.search).get("api");
  const base = resolveApiBase(fromQuery ? { apiUrl: fromQuery } : config, location.origin);
  const api = makeClient(base, undefined, browserKeys(config));
  api.uploads = config.uploads === "multipart" ? "multipart" : "presigned";
  const nav = h("nav.top");
  const main = h("main#screen");
  document.body.replaceChildren(
    h("header.bar", h("a.brand", { href: "#/videos" }, "frame-metric"), nav,
      h("span.api", { title: "API this console talks to" }, base)),
    main);

  let cleanup = null;
  async function show() {
    if (cleanup) cleanup();
    cleanup = null;
    const route = parseRoute(location.hash);
    replace(nav, NAV.map(([link, label, screens]) =>
      h(`a${screens.includes(route.screen) ? ".active" : ""}`, { href: link }, label)));
    const screen = SCREENS[route.screen];
    const root = h("section.screen", { dataset: { screen: route.screen } });
    replace(main, root);
    if (!screen) {
      replace(root, errorBox(`no such page: ${route.path}`));
      return;
    }
    const stops = [];
    cleanup = () => stops.forEach((stop) => stop());
    try {
      await screen({ api, root, params: route.params, query: route.query, onLeave: (stop) => stops.push(stop) });
    } catch (error) {
      replace(root, errorBox(error));
    }
  }
  window.addEventListener("hashchange", show);
  await show();
}

start();
