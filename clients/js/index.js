// gone's JavaScript client: fetch-based, no dependencies, for browsers and
// Node >= 20. It treats each answer as the seeds say a caller must:
//
//   410 Gone       permanent: never retried, purged from the cache, and
//                  remembered, so a later get of the id throws at once,
//                  without a request.
//   404 Not Found  might change: not retried unless asked (retryNotFound).
//   503, 429, network errors
//                  temporary: retried with backoff, honouring Retry-After
//                  up to a cap (maxRetryAfter, 60 s by default); longer
//                  than the cap, the error comes back at once.
//   308            followed, and the new location remembered.
//   200            cached with its ETag and revalidated (If-None-Match).

/** Change types after which a cached copy must go. */
const PURGING = new Set(["deleted", "gone", "expired", "moved"]);

/** The longest delay a timer can hold (2^31-1 ms): longer ones fire at once. */
const MAX_TIMER = 2 ** 31 - 1;

/** An answer from gone that is not a success; `problem` is the RFC 9457 body. */
export class GoneClientError extends Error {
  constructor(status, problem, url) {
    super(problem?.message || problem?.detail || `HTTP ${status}`);
    this.name = "GoneClientError";
    this.status = status;
    this.problem = problem || {};
    this.url = url;
  }
}

/** 404: the server does not know the id (or will not say). It might change. */
export class NotFoundError extends GoneClientError {
  constructor(status, problem, url) {
    super(status, problem, url);
    this.name = "NotFoundError";
    this.suggestion = this.problem.suggestion;
  }
}

/** 410: the id is gone for good. Never retried; remembered. */
export class GoneError extends GoneClientError {
  constructor(status, problem, url, { local = false } = {}) {
    super(status, problem, url);
    this.name = "GoneError";
    this.deletedAt = this.problem.deletedAt;
    this.expiredAt = this.problem.expiredAt;
    this.reason = this.problem.reason;
    this.alternative = this.problem.alternative;
    /** True when the client answered from memory, without a request. */
    this.local = local;
  }
}

/** 503 (or 429): briefly unavailable. retryAfter is in seconds, if the server said. */
export class UnavailableError extends GoneClientError {
  constructor(status, problem, url, retryAfter) {
    super(status, problem, url);
    this.name = "UnavailableError";
    this.retryAfter = retryAfter;
  }
}

/** An in-memory cache of representations (the default). */
export function memoryCache() {
  const m = new Map();
  return {
    get: (key) => m.get(key),
    set: (key, entry) => void m.set(key, entry),
    delete: (key) => void m.delete(key),
  };
}

/**
 * A cache in Web Storage (localStorage by default), under keys
 * prefix + "collection/id", as the seeds' client keeps its users.
 */
export function localStorageCache(prefix = "gone:", storage = globalThis.localStorage) {
  if (!storage) throw new TypeError("localStorageCache: no localStorage here; pass a Storage");
  return {
    get(key) {
      const raw = storage.getItem(prefix + key);
      if (raw == null) return undefined;
      try {
        return JSON.parse(raw);
      } catch {
        storage.removeItem(prefix + key);
        return undefined;
      }
    },
    set(key, entry) {
      try {
        storage.setItem(prefix + key, JSON.stringify(entry));
      } catch {
        // Full or forbidden storage: the client still works, uncached.
      }
    },
    delete(key) {
      storage.removeItem(prefix + key);
    },
  };
}

/**
 * Retry-After in seconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Returns undefined when absent or unreadable.
 */
export function parseRetryAfter(value, now = Date.now()) {
  if (value == null || value === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const t = Date.parse(value);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, Math.ceil((t - now) / 1000));
}

function sleep(ms, signal) {
  // ms is always capped by the caller; the min guards the timer anyway.
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(done, Math.min(Math.max(ms, 0), MAX_TIMER));
    function done() {
      signal?.removeEventListener("abort", abort);
      resolve();
    }
    function abort() {
      clearTimeout(t);
      reject(signal.reason);
    }
    signal?.addEventListener("abort", abort, { once: true });
  });
}

const enc = encodeURIComponent;

/** A client of one gone server. */
export class GoneClient {
  /**
   * @param {object} o see index.d.ts
   */
  constructor(o = {}) {
    if (!o.baseUrl) throw new TypeError("GoneClient: baseUrl is required");
    this.baseUrl = String(o.baseUrl).replace(/\/+$/, "");
    this.token = o.token;
    this.lang = o.lang;
    this.cache = o.cache || memoryCache();
    this.retry = { attempts: 4, baseDelay: 100, maxDelay: 5000, ...o.retry };
    this.maxRetryAfter = o.maxRetryAfter ?? 60;
    this.retryNotFound = o.retryNotFound ? { times: 1, delay: 1000, ...o.retryNotFound } : null;
    this.onNotice = o.onNotice;
    this.onGone = o.onGone;
    this.fetch = o.fetch || globalThis.fetch.bind(globalThis);
    this.random = o.random || Math.random;
    this.sleep = o.sleep || sleep;
    /** Paths that answered 410, with their problem: answered locally for good. */
    this.goneIds = new Map();
    /** Paths that answered 308, and where they went. */
    this.moves = new Map();
    this.maxRemembered = o.maxRemembered ?? 10000;
    /** Ids whose expiry the change feed announced: path -> epoch ms. */
    this.expiries = new Map();
  }

  path(collection, id) {
    return `/api/${enc(collection)}/${enc(id)}`;
  }

  /** The cache key of an id: "collection/id". */
  key(path) {
    return path.replace(/^\/api\//, "");
  }

  resolve(path) {
    for (let i = 0; i < 10 && this.moves.has(path); i++) path = this.moves.get(path);
    return path;
  }

  remember(map, k, v) {
    map.delete(k);
    map.set(k, v);
    if (map.size > this.maxRemembered) map.delete(map.keys().next().value);
  }

  /** Marks path gone: purged from the cache, and answered locally from now on. */
  markGone(path, problem) {
    this.cache.delete(this.key(path));
    this.expiries.delete(path);
    this.remember(this.goneIds, path, problem);
  }

  headers(extra) {
    const h = { Accept: "application/json", ...extra };
    if (this.token) h.Authorization = `Bearer ${this.token}`;
    if (this.lang) h["Accept-Language"] = this.lang;
    return h;
  }

  notice(url, res) {
    const sunset = res.headers.get("Sunset");
    const deprecation = res.headers.get("Deprecation");
    if ((sunset || deprecation) && this.onNotice) {
      this.onNotice({ url, sunset: sunset || undefined, deprecation: deprecation || undefined, link: res.headers.get("Link") || undefined });
    }
  }

  /**
   * Sends one request with the retry policy: 503, 429 and network errors
   * are retried (POST and PATCH only on 429), waiting Retry-After when the
   * server says, up to maxRetryAfter; beyond it the error comes back now.
   */
  async send(method, path, { body, headers, signal, contentType } = {}) {
    const url = this.baseUrl + path;
    const idempotent = method !== "POST" && method !== "PATCH";
    let notFoundLeft = this.retryNotFound && idempotent ? this.retryNotFound.times : 0;
    for (let attempt = 1; ; attempt++) {
      const h = this.headers(headers);
      if (body !== undefined) h["Content-Type"] = contentType || "application/json";
      let res;
      try {
        res = await this.fetch(url, {
          method,
          headers: h,
          body: body === undefined ? undefined : JSON.stringify(body),
          redirect: "follow",
          signal,
        });
      } catch (err) {
        if (signal?.aborted || !idempotent || attempt >= this.retry.attempts) throw err;
        await this.sleep(this.backoff(attempt), signal);
        continue;
      }
      if (res.status === 503 || res.status === 429) {
        const retryAfter = parseRetryAfter(res.headers.get("Retry-After"));
        const may = (idempotent || res.status === 429) && attempt < this.retry.attempts;
        if (may && (retryAfter === undefined || retryAfter <= this.maxRetryAfter)) {
          await res.body?.cancel();
          const wait = retryAfter === undefined ? this.backoff(attempt) : retryAfter * 1000;
          await this.sleep(Math.min(wait, this.maxRetryAfter * 1000), signal);
          continue;
        }
      }
      if (res.status === 404 && notFoundLeft > 0) {
        notFoundLeft--;
        await res.body?.cancel();
        await this.sleep(Math.min(this.retryNotFound.delay, MAX_TIMER), signal);
        continue;
      }
      return res;
    }
  }

  backoff(attempt) {
    const d = Math.min(this.retry.baseDelay * 2 ** (attempt - 1), this.retry.maxDelay);
    return d / 2 + this.random() * (d / 2);
  }

  async fail(res, path) {
    let problem = {};
    try {
      problem = await res.json();
    } catch {
      // Not JSON (a proxy's page): the status says enough.
    }
    const url = this.baseUrl + path;
    switch (res.status) {
      case 404:
        return new NotFoundError(404, problem, url);
      case 410: {
        this.markGone(path, problem);
        const e = new GoneError(410, problem, url);
        this.onGone?.(e);
        return e;
      }
      case 429:
      case 503:
        return new UnavailableError(res.status, problem, url, parseRetryAfter(res.headers.get("Retry-After")));
      default:
        return new GoneClientError(res.status, problem, url);
    }
  }

  /** Records a redirect the fetch followed, so the next read goes straight there. */
  followed(path, res) {
    if (!res.redirected || !res.url) return path;
    const to = new URL(res.url).pathname;
    if (to !== path) {
      this.cache.delete(this.key(path));
      this.remember(this.moves, path, to);
    }
    return to;
  }

  /**
   * Reads one resource and resolves to its representation. Throws
   * GoneError (410, remembered), NotFoundError (404), UnavailableError
   * (503/429 after retries) or GoneClientError.
   */
  async get(collection, id, { signal } = {}) {
    let path = this.resolve(this.path(collection, id));
    const expiry = this.expiries.get(path);
    if (expiry !== undefined && Date.now() >= expiry) {
      // The feed said it expires now: the copy must not be served.
      this.cache.delete(this.key(path));
      this.expiries.delete(path);
    }
    const known = this.goneIds.get(path);
    if (known) throw new GoneError(410, known, this.baseUrl + path, { local: true });
    const cached = this.cache.get(this.key(path));
    const headers = cached?.etag ? { "If-None-Match": cached.etag } : {};
    const res = await this.send("GET", path, { headers, signal });
    path = this.followed(path, res);
    this.notice(this.baseUrl + path, res);
    if (res.status === 304 && cached) return cached.body;
    if (!res.ok) throw await this.fail(res, path);
    const body = await res.json();
    const etag = res.headers.get("ETag");
    if (etag) this.cache.set(this.key(path), { etag, body });
    else this.cache.delete(this.key(path));
    return body;
  }

  async write(method, collection, id, suffix, { body, ifMatch, query, signal, contentType } = {}) {
    const path = this.path(collection, id);
    const headers = ifMatch ? { "If-Match": ifMatch } : {};
    const res = await this.send(method, path + suffix + (query || ""), { body, headers, signal, contentType });
    // Whatever the answer, what the client held about the id is stale.
    this.cache.delete(this.key(path));
    this.goneIds.delete(path);
    this.moves.delete(path);
    if (!res.ok) throw await this.fail(res, path);
    const out = await res.json();
    const etag = res.headers.get("ETag");
    if (etag && (method === "PUT" || method === "PATCH")) this.cache.set(this.key(path), { etag, body: out });
    return out;
  }

  /** Creates or replaces a resource; ifMatch guards against lost updates (412). */
  put(collection, id, data, { ifMatch, signal } = {}) {
    return this.write("PUT", collection, id, "", { body: data, ifMatch, signal });
  }

  /** Applies a JSON merge patch (RFC 7396). */
  patch(collection, id, patch, { ifMatch, signal } = {}) {
    return this.write("PATCH", collection, id, "", { body: patch, ifMatch, signal, contentType: "application/merge-patch+json" });
  }

  /** Deletes a resource: to the trash, or for good with permanent. */
  delete(collection, id, { permanent, reason, alternative, ifMatch, signal } = {}) {
    const q = new URLSearchParams();
    if (permanent) q.set("permanent", "true");
    if (reason) q.set("reason", reason);
    if (alternative) q.set("alternative", alternative);
    const query = q.size ? "?" + q : "";
    return this.write("DELETE", collection, id, "", { ifMatch, query, signal });
  }

  /** Brings a resource back from the trash. */
  restore(collection, id, { signal } = {}) {
    return this.write("POST", collection, id, "/restore", { signal });
  }

  /** Renames a resource; the old id answers 308 to the new one. */
  async move(collection, id, to, { signal } = {}) {
    const out = await this.write("POST", collection, id, "/move", { body: { to }, signal });
    this.remember(this.moves, this.path(collection, id), this.path(collection, to));
    return out;
  }

  /** Applies one change from the feed to what the client holds. */
  apply(change) {
    const path = change.path || this.path(change.collection, change.id);
    if (PURGING.has(change.type)) this.cache.delete(this.key(path));
    switch (change.type) {
      case "gone":
      case "expired":
        this.markGone(path, {
          status: 410,
          error: "Gone",
          message: change.message,
          deletedAt: change.type === "gone" ? change.at : undefined,
          expiredAt: change.type === "expired" ? change.expiresAt : undefined,
          reason: change.reason,
          alternative: change.alternative,
        });
        break;
      case "moved":
        if (change.location) this.remember(this.moves, path, change.location);
        break;
      case "expiring":
        if (change.expiresAt) this.remember(this.expiries, path, Date.parse(change.expiresAt));
        else this.expiries.delete(path);
        break;
      case "created":
      case "restored":
        this.goneIds.delete(path);
        break;
    }
  }

  /**
   * Follows the change feed (GET /api/changes as Server-Sent Events) and
   * applies each change to the cache: deleted, gone, expired and moved purge
   * the id; gone and expired also mark it gone, so the next get throws
   * GoneError without a request. Starts at the end of the log unless since
   * is given (0 replays the whole log). Reconnects after errors, resuming
   * after the last event seen. Returns { close(), lastEventId, done }.
   */
  watch({ since, collection, onChange, onError, signal } = {}) {
    const ctl = new AbortController();
    signal?.addEventListener("abort", () => ctl.abort(signal.reason), { once: true });
    const w = { lastEventId: since, close: () => ctl.abort() };
    const run = async () => {
      let failures = 0;
      while (!ctl.signal.aborted) {
        try {
          const q = new URLSearchParams();
          // Without since, start at the end of the log; the stream's first
          // id says where that was, so a reconnection resumes from there.
          q.set("since", w.lastEventId === undefined ? "now" : String(w.lastEventId));
          if (collection) q.set("collection", collection);
          const res = await this.fetch(`${this.baseUrl}/api/changes${q.size ? "?" + q : ""}`, {
            headers: this.headers({ Accept: "text/event-stream" }),
            signal: ctl.signal,
          });
          if (!res.ok) {
            const e = await this.fail(res, "/api/changes");
            // 400, 401, 403, 404 will not mend by themselves.
            if (res.status < 500 && res.status !== 429) throw Object.assign(e, { fatal: true });
            throw e;
          }
          failures = 0;
          await readEvents(res.body, (ev) => {
            if (ev.id !== undefined) w.lastEventId = ev.id;
            // "end": the server ended the stream (its life, or the token was
            // revoked or expired); the reconnect below learns which holds.
            if (!ev.data || ev.event === "end") return;
            const change = JSON.parse(ev.data);
            this.apply(change);
            onChange?.(change);
          });
        } catch (err) {
          if (ctl.signal.aborted) break;
          onError?.(err);
          if (err.fatal) break;
          failures++;
        }
        if (ctl.signal.aborted) break;
        // The stream ended (a restart, a proxy's timeout) or failed:
        // reconnect after a backoff, resuming where it stopped.
        await this.sleep(Math.min(this.backoff(Math.min(failures + 1, 6)) + 500, MAX_TIMER), ctl.signal).catch(() => {});
      }
    };
    w.done = run();
    return w;
  }
}

/** Reads a text/event-stream body, calling onEvent({id, event, data}). */
async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  let ev = {};
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let nl;
    while ((nl = buf.search(/\r?\n/)) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + (buf[nl] === "\r" ? 2 : 1));
      if (line === "") {
        if (ev.data !== undefined || ev.id !== undefined) onEvent(ev);
        ev = {};
        continue;
      }
      if (line.startsWith(":")) continue;
      const i = line.indexOf(":");
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
      if (field === "data") ev.data = ev.data === undefined ? value : ev.data + "\n" + value;
      else if (field === "id") ev.id = value;
      else if (field === "event") ev.event = value;
    }
  }
}
