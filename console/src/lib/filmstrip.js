// The review screen's selection: a cursor over the frames, the picked first and last frame, and what
// the duration becomes. Pure state, so the keyboard rules are tested without a browser.

export function frameTime(frame) {
  return frame ? Number(frame.timestamp) : null;
}

export class Selection {
  constructor(frames, first = null, last = null) {
    this.frames = [...frames].sort((a, b) => a.frame_number - b.frame_number);
    this.firstId = first ? first.id : null;
    this.lastId = last ? last.id : null;
    const start = this.indexOf(this.firstId);
    this.cursor = start >= 0 ? start : 0;
  }

  indexOf(id) {
    return id == null ? -1 : this.frames.findIndex((frame) => frame.id === id);
  }

  get current() {
    return this.frames[this.cursor] ?? null;
  }

  get first() {
    return this.frames[this.indexOf(this.firstId)] ?? null;
  }

  get last() {
    return this.frames[this.indexOf(this.lastId)] ?? null;
  }

  /** Move by `delta` frames (arrow keys: 1, shift: 10), clamped to the ends. */
  step(delta) {
    if (!this.frames.length) return this.cursor;
    this.cursor = Math.min(this.frames.length - 1, Math.max(0, this.cursor + delta));
    return this.cursor;
  }

  jumpTo(id) {
    const index = this.indexOf(id);
    if (index >= 0) this.cursor = index;
    return this.cursor;
  }

  pickFirst() {
    if (this.current) this.firstId = this.current.id;
  }

  pickLast() {
    if (this.current) this.lastId = this.current.id;
  }

  /** The response time the picks give, or null while they cannot give one. */
  get duration() {
    const first = this.first;
    const last = this.last;
    if (!first || !last) return null;
    return Number((frameTime(last) - frameTime(first)).toFixed(6));
  }

  /** Why the picks cannot be submitted yet, or null when they can. */
  get problem() {
    if (!this.first) return "pick a first frame (F)";
    if (!this.last) return "pick a last frame (L)";
    if (this.last.frame_number <= this.first.frame_number) return "the last frame must come after the first";
    return null;
  }
}

/** Scores drawn as bar heights: 0..1 against the largest score of the video (never divided by 0). */
export function scoreHeights(frames) {
  const scores = frames.map((frame) => Number(frame.scene_change_score ?? 0));
  const top = Math.max(0, ...scores);
  return scores.map((score) => (top > 0 ? score / top : 0));
}
