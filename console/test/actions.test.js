import test from "node:test";
import assert from "node:assert/strict";
import { timelineLayout, stepNotes } from "../src/lib/actions.js";

const frame = (n, t, extra = {}) => ({ frame_number: n, timestamp: t, ...extra });

test("actions are laid out on the video's span with a marker per frame they have", () => {
  const actions = [
    { index: 1, operation: frame(10, 1, { source: "touch_indicator" }), response: frame(13, 1.1), finish: frame(25, 1.5), end: frame(59, 2) },
    { index: 2, operation: frame(60, 2), response: null, finish: null, end: frame(119, 4), needs_review: true },
  ];
  const [first, second] = timelineLayout(actions, 4);
  assert.deepEqual([first.left, first.width], [25, 25]);
  assert.deepEqual(first.marks.map((m) => [m.kind, m.left]), [["operation", 25], ["response", 27.500000000000004], ["finish", 37.5]]);
  assert.equal(first.label, null);
  assert.equal(timelineLayout([{ ...actions[0], label: "step 2 tap" }], 4)[0].label, "step 2 tap");
  assert.equal(second.ignored, true);
  assert.equal(second.review, true);
  assert.deepEqual(second.marks.map((m) => m.kind), ["operation"]);
});

test("without an operation an action starts at its response; a zero duration does not divide by zero", () => {
  const [only] = timelineLayout([{ index: 1, operation: null, response: frame(3, 0.1), finish: frame(4, 0.2), end: frame(9, 0.3) }], 0);
  assert.equal(Math.round(only.left), 33);
  assert.deepEqual(timelineLayout([{ index: 1, operation: null, response: null, finish: null, end: frame(0, 0) }], 0)[0].left, 0);
});

test("step timings become chart notes, labelled at the operation", () => {
  const notes = stepNotes([{ step: "step 2 tap", operation: { t: 1 }, response: { t: 1.2 }, finish: null }]);
  assert.deepEqual(notes.map((n) => [n.t, n.label]), [[1, "step 2 tap"], [1.2, null]]);
  assert.deepEqual(stepNotes(undefined), []);
});
