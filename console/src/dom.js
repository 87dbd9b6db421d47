// A few DOM helpers: build elements declaratively, and the three states every screen shows.
import { detailText } from "./lib/http.js";

/** h("div.card#x", {onclick, dataset...}, child, [children], "text") */
export function h(tag, props, ...children) {
  const [name, ...rest] = tag.split(/(?=[.#])/);
  const element = document.createElement(name || "div");
  for (const part of rest) {
    if (part.startsWith(".")) element.classList.add(part.slice(1));
    else if (part.startsWith("#")) element.id = part.slice(1);
  }
  if (props && (typeof props !== "object" || props instanceof Node || Array.isArray(props))) {
    children.unshift(props);
    props = null;
  }
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(element.dataset, value);
    else if (key === "style" && typeof value === "object") Object.assign(element.style, value);
    else if (key === "value" || (key in element && key !== "list" && typeof value !== "string")) element[key] = value;
    else element.setAttribute(key, value === true ? "" : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

export const loading = (what = "Loading") => h("div.state.loading", { role: "status" }, h("span.spinner"), `${what}…`);
export const empty = (text, ...extra) => h("div.state.empty", h("p", text), ...extra);
export const errorBox = (error) => h("div.state.error", { role: "alert" },
  h("strong", "Error"), " ", error && error.detail !== undefined ? detailText(error.detail) : String(error?.message || error));

/** Show loading, then what `render` builds from `load()`, or the error. */
export async function load(container, loader, render, what) {
  replace(container, loading(what));
  try {
    const value = await loader();
    replace(container, render(value));
    return value;
  } catch (error) {
    replace(container, errorBox(error));
    return undefined;
  }
}

export function badge(status) {
  return h(`span.badge.s-${String(status ?? "none").replace(/[^a-z_-]/gi, "")}`, String(status ?? "—"));
}

export function table(columns, rows, { emptyText = "Nothing yet." } = {}) {
  if (!rows.length) return empty(emptyText);
  return h("table.grid",
    h("thead", h("tr", columns.map((column) => h("th", column.title)))),
    h("tbody", rows.map((row) => h("tr", columns.map((column) => h("td", column.cell(row)))))));
}

export function field(label, input, hint) {
  return h("label.field", h("span.label", label), input, hint ? h("small.hint", hint) : null);
}

/** Save a Blob as a file, as a download link would. */
export function download(blob, filename) {
  const link = h("a", { href: URL.createObjectURL(blob), download: filename });
  document.body.append(link);
  link.click();
  setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
}

const EXPORT_TYPES = { excel: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", csv: "text/csv" };

/** A button that downloads an export: fetched with the API key (a link could not send it), saved under
 * the server's file name; a failure shows in place of the button's label for a moment. */
export function exportButton(api, path, format, label) {
  const button = h("button", { type: "button", onclick: async () => {
    button.disabled = true;
    try {
      const { blob, filename } = await api.file(path, EXPORT_TYPES[format]);
      download(blob, filename);
    } catch (error) {
      button.title = error.detail ?? error.message;
      button.textContent = `${label} failed`;
      setTimeout(() => { button.textContent = label; }, 4000);
    } finally {
      button.disabled = false;
    }
  } }, label);
  return button;
}
