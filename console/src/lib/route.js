// Hash routes (`#/monitor/runs/ID?x=1`): they work the same from `frame-metric serve`, a static bucket
// and a file:// page inside the desktop app, since no server has to know them.

export const SCREENS = [
  { pattern: "/videos", screen: "videos" },
  { pattern: "/videos/:id", screen: "video" },
  { pattern: "/review", screen: "review-queue" },
  { pattern: "/review/:id", screen: "review" },
  { pattern: "/tasks", screen: "tasks" },
  { pattern: "/tasks/:id", screen: "task" },
  { pattern: "/monitor", screen: "monitor" },
  { pattern: "/monitor/scripts/new", screen: "script" },
  { pattern: "/monitor/scripts/:id", screen: "script" },
  { pattern: "/monitor/tasks/:id", screen: "monitor-task" },
  { pattern: "/monitor/runs/:id", screen: "run" },
  { pattern: "/monitor/compare", screen: "compare" },
  { pattern: "/qr", screen: "qr" },
];

/** `#/a/b?x=1` -> {screen, params, query}; unknown paths -> the videos screen's `not-found`. */
export function parseRoute(hash) {
  const raw = (hash || "").replace(/^#/, "") || "/videos";
  const [path, search = ""] = raw.split("?");
  const query = Object.fromEntries(new URLSearchParams(search));
  const parts = path.split("/").filter(Boolean);
  for (const { pattern, screen } of SCREENS) {
    const expected = pattern.split("/").filter(Boolean);
    if (expected.length !== parts.length) continue;
    const params = {};
    const matches = expected.every((segment, index) => {
      if (segment.startsWith(":")) {
        params[segment.slice(1)] = decodeURIComponent(parts[index]);
        return true;
      }
      return segment === parts[index];
    });
    if (matches) return { screen, params, query, path };
  }
  return { screen: "not-found", params: {}, query, path };
}

export function href(path, query = {}) {
  const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== "")).toString();
  return `#${path}${search ? `?${search}` : ""}`;
}
