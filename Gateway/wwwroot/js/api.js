// Fetch wrapper for the gateway's JSON API. Problem details (RFC 9457) become an ApiError carrying the
// server's human-readable title and per-field messages; a 401 on a signed-in page sends the visitor to /login.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.title || defaultMessage(status));
    this.name = 'ApiError';
    this.status = status;
    this.title = this.message;
    this.errors = normalizeErrors(problem?.errors);
  }
}

function defaultMessage(status) {
  if (status === 0) return 'Cannot reach AudioStream. Check your connection and try again.';
  if (status >= 500) return 'Something went wrong on our side. Try again in a moment.';
  return `The request failed (${status}).`;
}

/** Server field names are camelCase; keep them that way and make every value an array of strings. */
function normalizeErrors(errors) {
  const result = {};
  if (errors && typeof errors === 'object') {
    for (const [field, messages] of Object.entries(errors)) {
      const key = field.length ? field[0].toLowerCase() + field.slice(1) : field;
      result[key] = Array.isArray(messages) ? messages.map(String) : [String(messages)];
    }
  }
  return result;
}

/** The path of this page, to come back to after signing in. */
export function loginUrl() {
  return `/login?returnUrl=${encodeURIComponent(location.pathname + location.search)}`;
}

/**
 * Only a path on this origin is a safe place to go after signing in; anything else (another origin,
 * a protocol-relative "//host", "javascript:") falls back to the main page.
 */
export function safeReturnUrl(value) {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) {
    return '/';
  }
  try {
    const url = new URL(value, location.origin);
    return url.origin === location.origin ? url.pathname + url.search + url.hash : '/';
  } catch {
    return '/';
  }
}

/**
 * Calls the API. Resolves to the parsed JSON body (or null for an empty answer); rejects with ApiError.
 * @param {string} path
 * @param {{method?: string, body?: unknown, redirectOn401?: boolean, signal?: AbortSignal}} [options]
 */
export async function api(path, { method = 'GET', body, redirectOn401 = true, signal } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' }, signal };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    throw new ApiError(0, null);
  }

  if (response.status === 401 && redirectOn401) {
    location.assign(loginUrl());
    // The page is going away; never settle so callers do not flash an error first.
    return new Promise(() => {});
  }

  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    throw new ApiError(response.status, data);
  }
  return data;
}
