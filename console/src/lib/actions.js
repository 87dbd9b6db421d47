// Interactions (a video's "actions", a run's "step_timings") laid out on a time axis. Pure, so the
// layout is tested without a browser.

const KINDS = ["operation", "response", "finish"];

function at(frame) {
  return frame ? Number(frame.timestamp) : null;
}

/**
 * Where each action sits on a strip spanning the video (0..100 %): from its operation (or its response
 * when no operation is known) to its end, with a marker per frame that exists.
 */
export function timelineLayout(actions, duration) {
  const last = Math.max(Number(duration) || 0, ...actions.map((a) => at(a.end) ?? 0));
  const pos = (t) => (last > 0 ? Math.min(100, Math.max(0, (t / last) * 100)) : 0);
  return actions.map((action) => {
    const start = at(action.operation) ?? at(action.response) ?? at(action.end);
    const end = at(action.end);
    const marks = KINDS.filter((kind) => action[kind]).map((kind) => ({ kind, left: pos(at(action[kind])) }));
    return { index: action.index, left: pos(start), width: Math.max(0.5, pos(end) - pos(start)), marks,
      ignored: !action.response, review: Boolean(action.needs_review), label: action.label || null };
  });
}

/** Chart annotations for a run's step timings: where the user acted, the app responded and finished. */
export function stepNotes(timings) {
  const colours = { operation: "#2563eb", response: "#f59e0b", finish: "#16a34a" };
  const notes = [];
  for (const step of timings || []) {
    for (const kind of KINDS) {
      if (step[kind]) {
        notes.push({ t: step[kind].t, color: colours[kind], width: kind === "operation" ? 2 : 1,
          label: kind === "operation" ? step.step : null, row: 5 });
      }
    }
  }
  return notes;
}
