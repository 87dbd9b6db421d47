// Talking to the frame-metric API: one base URL, JSON in and out, `{"detail": ...}` errors as ApiError.

export class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
    this.status = status;
    this.detail = detail;
  }
}

/** The base URL the console talks to: config.json's apiUrl (a static deploy), else the page's origin. */
export function resolveApiBase(config, pageOrigin) {
  const configured = config && typeof config.apiUrl === "string" ? config.apiUrl.trim() : "";
  return (configured || pageOrigin).replace(/\/+$/, "");
}

/** A readable sentence out of whatever an error answer carried (FastAPI-style lists included). */
export function detailText(detail) {
  if (detail == null) return "unknown error";
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail.map((item) => {
      if (item && typeof item === "object") {
        const where = item.line != null ? `line ${item.line}: ` : item.loc ? `${[].concat(item.loc).join(".")}: ` : "";
        return where + (item.message || item.msg || JSON.stringify(item));
      }
      return String(item);
    }).join("; ");
  }
  return JSON.stringify(detail);
}

/**
 * Where the API key of a closed stack (README "Access control") comes from: `get` the one known, `ask`
 * for one when the API refused (403) - resolving to the new key, or null when the user gives none.
 */
export function noKeys() {
  return { get: () => null, ask: async () => null };
}

export function makeClient(base, fetchImpl = globalThis.fetch.bind(globalThis), keys = noKeys()) {
  const url = (path) => `${base}/api/v1${path}`;

  /** Headers every call to the API carries (the key, when there is one). */
  function authHeaders() {
    const key = keys.get();
    return key ? { "x-api-key": key } : {};
  }

  async function send(method, path, body, accept) {
    const init = { method, headers: authHeaders() };
    // Behind API Gateway binary answers come as bytes only when Accept names their type.
    if (accept) init.headers.Accept = accept;
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    try {
      return await fetchImpl(url(path), init);
    } catch (error) {
      throw new ApiError(0, `cannot reach the API at ${base}: ${error.message}`);
    }
  }

  async function request(method, path, body, { raw = false, accept } = {}) {
    let response = await send(method, path, body, accept);
    // A closed stack answers 403 without a valid key: ask once, then try again with it.
    if (response.status === 403 && (await keys.ask())) response = await send(method, path, body, accept);
    if (!response.ok) {
      let detail = `${response.status} ${response.statusText}`;
      try {
        const parsed = await response.json();
        if (parsed && parsed.detail !== undefined) detail = parsed.detail;
      } catch { /* not JSON: keep the status line */ }
      throw new ApiError(response.status, detail);
    }
    if (raw) return response;
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  }

  return {
    base,
    url,
    authHeaders,
    get: (path) => request("GET", path),
    post: (path, body) => request("POST", path, body ?? {}),
    put: (path, body) => request("PUT", path, body),
    del: (path) => request("DELETE", path),
    blob: async (method, path, body, accept) => (await request(method, path, body, { raw: true, accept })).blob(),
    /** A file the API answers (an export): its bytes and the name the server gave it. */
    file: async (path, accept) => {
      const response = await request("GET", path, undefined, { raw: true, accept });
      return { blob: await response.blob(), filename: attachmentName(response.headers.get("Content-Disposition")) };
    },
  };
}

/** The file name of a Content-Disposition header: RFC 5987 `filename*` first, else `filename`. */
export function attachmentName(header) {
  if (!header) return "download";
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (extended) {
    try { return decodeURIComponent(extended[1].trim()); } catch { /* fall back to the plain name */ }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain ? plain[1].trim() : "download";
}

/** A query string from the defined values only. */
export function query(params) {
  const parts = Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null && value !== "")
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  return parts.length ? `?${parts.join("&")}` : "";
}
