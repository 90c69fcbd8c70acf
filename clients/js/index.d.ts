// Type declarations of gone's JavaScript client (index.js).

/** An entry of the representation cache. */
export interface CacheEntry {
  etag: string;
  body: unknown;
}

/** Where the client keeps representations: memoryCache(), localStorageCache(), or your own. */
export interface Cache {
  get(key: string): CacheEntry | undefined;
  set(key: string, entry: CacheEntry): void;
  delete(key: string): void;
}

/** An RFC 9457 problem as gone sends it, with the seeds' fields. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  error?: string;
  message?: string;
  deletedAt?: string;
  expiredAt?: string;
  reason?: string;
  alternative?: string;
  suggestion?: string;
  retryAfter?: number;
  errors?: Record<string, string>;
  [field: string]: unknown;
}

/** Sunset (RFC 8594) or Deprecation (RFC 9745) on an answer. */
export interface Notice {
  url: string;
  sunset?: string;
  deprecation?: string;
  link?: string;
}

/** One change of the feed (GET /api/changes). */
export interface Change {
  seq: number;
  type: "created" | "updated" | "deleted" | "restored" | "gone" | "expired" | "expiring" | "moved" | "unavailable" | "lifecycle";
  collection: string;
  id: string;
  path: string;
  at: string;
  reason?: string;
  message?: string;
  movedTo?: string;
  location?: string;
  expiresAt?: string;
  unavailableUntil?: string;
  actor?: string;
}

export interface GoneClientOptions {
  /** The server, e.g. "https://api.example.com" (paths are baseUrl + "/api/…"). */
  baseUrl: string;
  /** A bearer token (read or admin). */
  token?: string;
  /** Accept-Language for problem messages ("en", "es"). */
  lang?: string;
  /** Representation cache; memoryCache() by default. */
  cache?: Cache;
  /** Retries of 503, 429 and network errors: attempts (4), baseDelay (100 ms), maxDelay (5000 ms). */
  retry?: { attempts?: number; baseDelay?: number; maxDelay?: number };
  /** Longest Retry-After, in seconds, the client waits out (60); beyond it the error is thrown at once. */
  maxRetryAfter?: number;
  /** Opt in to retrying 404 (it "might be temporary"): times (1) and delay in ms (1000). */
  retryNotFound?: { times?: number; delay?: number };
  /** Called for every answer with Sunset or Deprecation. */
  onNotice?: (n: Notice) => void;
  /** Called when the server first answers 410 for an id. */
  onGone?: (e: GoneError) => void;
  /** fetch to use; globalThis.fetch by default. */
  fetch?: typeof fetch;
  /** How many gone ids, moves and announced expiries to remember (10000). */
  maxRemembered?: number;
  /** How the client waits between retries (ms); for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The jitter source, in [0, 1); for tests. */
  random?: () => number;
}

export class GoneClientError extends Error {
  status: number;
  problem: Problem;
  url: string;
}
export class NotFoundError extends GoneClientError {
  suggestion?: string;
}
export class GoneError extends GoneClientError {
  deletedAt?: string;
  expiredAt?: string;
  reason?: string;
  alternative?: string;
  /** True when the client answered from memory, without a request. */
  local: boolean;
}
export class UnavailableError extends GoneClientError {
  /** Seconds, when the server said. */
  retryAfter?: number;
}

export interface Watcher {
  close(): void;
  /** The last event id seen: pass it as since to resume later. */
  lastEventId?: string | number;
  /** Settles when the watcher stops (close, abort, or a 4xx that will not mend). */
  done: Promise<void>;
}

export interface WatchOptions {
  /** Continue after this sequence; omitted: from now on; 0: the whole log. */
  since?: number | string;
  collection?: string;
  onChange?: (c: Change) => void;
  onError?: (e: unknown) => void;
  signal?: AbortSignal;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export class GoneClient {
  constructor(options: GoneClientOptions);
  get<T = unknown>(collection: string, id: string, options?: RequestOptions): Promise<T>;
  put<T = unknown>(collection: string, id: string, data: T, options?: RequestOptions & { ifMatch?: string }): Promise<T>;
  patch<T = unknown>(collection: string, id: string, patch: Partial<T>, options?: RequestOptions & { ifMatch?: string }): Promise<T>;
  delete(collection: string, id: string, options?: RequestOptions & { permanent?: boolean; reason?: string; alternative?: string; ifMatch?: string }): Promise<unknown>;
  restore(collection: string, id: string, options?: RequestOptions): Promise<unknown>;
  move(collection: string, id: string, to: string, options?: RequestOptions): Promise<unknown>;
  /** Follows the change feed and purges the cache on deleted, gone, expired and moved. */
  watch(options?: WatchOptions): Watcher;
}

export function memoryCache(): Cache;
export function localStorageCache(prefix?: string, storage?: Storage): Cache;
/** Retry-After in seconds from delta-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | null | undefined, now?: number): number | undefined;
