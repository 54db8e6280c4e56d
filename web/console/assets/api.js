// Fetch wrapper for /console/api/* (docs/CONSOLE.md "JSON endpoints").
//
// Every POST carries `X-CSRF-Token`. The token comes from `GET /console/api/session` (which also
// sets the `lc_csrf` cookie for the double-submit check when nobody is signed in) and is replaced
// by the one `login` / `activate` return. A 403 `csrf_failed` refreshes the token once and
// retries, so a page left open across a session change still works.

let csrfToken = null;
let sessionPromise = null;

/** An error answer: `code`, `message`, `fields`, `unmet`, `retryAfter` (seconds) and `status`. */
export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    const err = (body && body.error) || {};
    super(err.message || `Request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.code = err.code || (status === 0 ? 'network_error' : 'http_' + status);
    this.fields = err.fields || {};
    this.unmet = Array.isArray(err.unmet) ? err.unmet : [];
    this.retryAfter = retryAfter;
  }
}

function parseRetryAfter(value) {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);  // HTTP-date form
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    headers['X-CSRF-Token'] = await csrf();
    init.body = JSON.stringify(body ?? {});
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, { error: { message: 'The server could not be reached. Check your connection and try again.' } }, null);
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) throw new ApiError(res.status, data, parseRetryAfter(res.headers.get('Retry-After')));
  return data ?? {};
}

/** `GET /console/api/session`: `{signed_in, csrf, email?}`; remembers the CSRF token. */
export function session({ refresh = false } = {}) {
  if (!sessionPromise || refresh) {
    sessionPromise = request('GET', '/console/api/session').then(
      (s) => {
        csrfToken = s.csrf || null;
        return s;
      },
      (e) => {
        sessionPromise = null;
        throw e;
      },
    );
  }
  return sessionPromise;
}

async function csrf() {
  if (!csrfToken) await session();
  return csrfToken || '';
}

/** Replace the CSRF token (login and activation answer with the new session's token). */
export function setCsrf(token) {
  if (token) csrfToken = token;
}

export function get(path) {
  return request('GET', path);
}

export async function post(path, body) {
  try {
    return await request('POST', path, body);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'csrf_failed') {
      await session({ refresh: true });
      return request('POST', path, body);
    }
    throw e;
  }
}
