// Where the charts' annotation labels go: no two overlap, none leaves the plot.

export const ROWS = 4;

/** Rows for the labels so none overlaps another: each goes to the first row where the previous label
 * has ended (left to right), or right-aligned before its line when it would leave the plot; a label
 * with no room in any row is left out (its line stays). Returns [{note, row, x, align}]. */
export function placeLabels(notes, xOf, widthOf, left, right, gap) {
  const ends = new Array(ROWS).fill(-Infinity);
  const placed = [];
  for (const note of [...notes].filter((n) => n.label).sort((a, b) => a.t - b.t)) {
    const x = xOf(note.t);
    const width = widthOf(note.label);
    const before = x + gap + width > right;
    const start = before ? x - gap - width : x + gap;
    if (start < left) continue;
    const row = ends.findIndex((end) => start >= end + gap);
    if (row < 0) continue;
    ends[row] = start + width;
    placed.push({ note, row: row + 1, x: before ? x - gap : x + gap, align: before ? "right" : "left" });
  }
  return placed;
}
