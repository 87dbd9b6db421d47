// Numbers and times as a tester reads them.

export function seconds(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return `${Number(value).toFixed(digits)} s`;
}

export function millis(value) {
  if (value === null || value === undefined) return "—";
  return `${Math.round(Number(value) * 1000)} ms`;
}

export function bytes(count) {
  if (count === null || count === undefined) return "—";
  const units = ["B", "KB", "MB", "GB"];
  let value = Number(count);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function percent(value) {
  if (value === null || value === undefined) return "—";
  return `${Math.round(Number(value) * 100)}%`;
}

export function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toISOString().replace("T", " ").slice(0, 19);
}

export function number(value, digits = 2) {
  if (value === null || value === undefined) return "—";
  const n = Number(value);
  return Number.isInteger(n) ? String(n) : n.toFixed(digits);
}

// Frame rate as a tester names it: 60 fps, 29.9 fps; the measured 60.010086 is timestamp rounding.
export function fps(value, variable = false) {
  if (value === null || value === undefined || !Number(value)) return "? fps";
  return `${variable ? "~" : ""}${Number(Number(value).toFixed(1))} fps${variable ? " (variable)" : ""}`;
}
