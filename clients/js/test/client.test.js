// The JavaScript client against a real `gone serve --demo`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { GoneClient, GoneError, NotFoundError, UnavailableError, GoneClientError, memoryCache, parseRetryAfter } from "../index.js";
import { startGone, countingFetch, admin, READER } from "./gone-server.mjs";

let gone;
before(async () => {
  gone = await startGone();
});
after(async () => {
  await gone?.stop();
});

function client(opts = {}) {
  const fetch = countingFetch();
  const c = new GoneClient({ baseUrl: gone.url, token: READER, fetch, ...opts });
  return { c, log: fetch.log };
}

test("a live resource, then revalidated with its ETag (304)", async () => {
  const { c, log } = client();
  const user = await c.get("users", "42");
  assert.equal(user.name, "Ada Lovelace");
  const again = await c.get("users", "42");
  assert.deepEqual(again, user);
  assert.equal(log.length, 2);
  assert.equal(log[1].status, 304, "the second read revalidates");
  assert.match(log[1].inm, /^"\d+"$/);
});

test("404: NotFoundError with the server's message, in English and Spanish, not retried", async () => {
  const { c, log } = client();
  await assert.rejects(c.get("users", "999"), (e) => {
    assert.ok(e instanceof NotFoundError);
    assert.equal(e.status, 404);
    assert.equal(e.message, "User with ID 999 does not exist");
    return true;
  });
  assert.equal(log.length, 1);
  const es = client({ lang: "es" }).c;
  await assert.rejects(es.get("users", "999"), { message: "El usuario con ID 999 no existe" });
});

test("404 retried only when the caller opts in", async () => {
  const { c, log } = client({ retryNotFound: { times: 2, delay: 10 } });
  await assert.rejects(c.get("users", "998"), NotFoundError);
  assert.equal(log.length, 3);
});

test("a wrong URL's 404 carries the suggestion", async () => {
  const { c } = client();
  await assert.rejects(c.get("usres", "123"), (e) => {
    assert.ok(e instanceof NotFoundError);
    assert.match(e.message, /Did you mean \/api\/users\/123\?/);
    return true;
  });
});

test("410: GoneError with the facts, purged from the cache, remembered without a request", async () => {
  const cache = memoryCache();
  cache.set("users/123", { etag: '"1"', body: { id: "123", name: "Alex Doe" } });
  const gones = [];
  const { c, log } = client({ cache, onGone: (e) => gones.push(e) });
  await assert.rejects(c.get("users", "123"), (e) => {
    assert.ok(e instanceof GoneError);
    assert.equal(e.status, 410);
    assert.equal(e.message, "This user account was permanently deleted on 2026-01-05");
    assert.equal(e.deletedAt, "2026-01-05T10:30:00Z");
    assert.equal(e.reason, "User requested account deletion");
    assert.equal(e.local, false);
    return true;
  });
  assert.equal(cache.get("users/123"), undefined, "the cached copy is gone");
  await assert.rejects(c.get("users", "123"), (e) => e instanceof GoneError && e.local === true);
  assert.equal(log.length, 1, "the second get sent no request");
  assert.equal(gones.length, 1);
});

test("410 for an expired promotion: expiredAt and alternative", async () => {
  const { c } = client({ lang: "es" });
  await assert.rejects(c.get("promotions", "summer-sale-2025"), (e) => {
    assert.ok(e instanceof GoneError);
    assert.equal(e.expiredAt, "2025-09-01T00:00:00Z");
    assert.equal(e.alternative, "/api/promotions/current");
    assert.equal(e.message, "Esta promoción ha expirado y ya no está disponible");
    return true;
  });
});

test("308 followed and remembered; Sunset reported", async () => {
  const notices = [];
  const { c, log } = client({ onNotice: (n) => notices.push(n) });
  const p = await c.get("promotions", "current");
  assert.equal(p.name, "Winter Sale 2026");
  await c.get("promotions", "current");
  assert.deepEqual(log.map((r) => r.path), ["/api/promotions/current", "/api/promotions/winter-sale-2026"]);
  assert.ok(notices.length >= 1 && notices[0].sunset, "Sunset reported");
  assert.match(notices[0].link || "", /rel="sunset"/);
});

test("503 with Retry-After: waited out, then the answer", async () => {
  await admin(gone.url, "PUT", "/api/promotions/brief", { n: 1 });
  const until = new Date(Date.now() + 2000).toISOString().replace(/\.\d+Z$/, "Z");
  await admin(gone.url, "PATCH", "/api/promotions/brief/lifecycle", { unavailableUntil: until });
  const { c, log } = client();
  const p = await c.get("promotions", "brief");
  assert.equal(p.n, 1);
  assert.equal(log[0].status, 503);
  assert.equal(log.at(-1).status, 200);
});

test("a Retry-After past the cap (a resource withheld until 2100) is never a tight loop: thrown at once", async () => {
  await admin(gone.url, "PUT", "/api/promotions/frozen", { n: 1 });
  await admin(gone.url, "PATCH", "/api/promotions/frozen/lifecycle", { unavailableUntil: "2100-01-01T00:00:00Z" });
  const { c, log } = client();
  await assert.rejects(c.get("promotions", "frozen"), (e) => {
    assert.ok(e instanceof UnavailableError);
    // The server caps its Retry-After (1 h by default); still past the
    // client's 60 s cap, so nothing is waited or retried.
    assert.ok(e.retryAfter > 60, `retryAfter ${e.retryAfter}`);
    return true;
  });
  assert.equal(log.length, 1);
});

test("Retry-After parsing: seconds and HTTP-dates", () => {
  assert.equal(parseRetryAfter("120"), 120);
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:01:00 GMT", now), 60);
  assert.equal(parseRetryAfter("nonsense"), undefined);
});

test("writes: put, patch with If-Match (412 when stale), delete for good, restore, move", async () => {
  const w = new GoneClient({ baseUrl: gone.url, token: "js-admin-token" });
  const created = await w.put("users", "w1", { name: "W" });
  assert.equal(created.name, "W");
  await assert.rejects(w.patch("users", "w1", { name: "X" }, { ifMatch: '"99"' }), (e) => e instanceof GoneClientError && e.status === 412);
  const patched = await w.patch("users", "w1", { name: "X" }, { ifMatch: '"1"' });
  assert.equal(patched.name, "X");
  const r = client().c; // the public's view: trash is a 404
  await w.delete("users", "w1");
  await assert.rejects(r.get("users", "w1"), NotFoundError);
  await w.restore("users", "w1");
  assert.equal((await r.get("users", "w1")).name, "X");
  await w.move("users", "w1", "w2");
  assert.equal((await r.get("users", "w1")).name, "X", "the 308 is followed");
  await w.delete("users", "w2", { permanent: true, reason: "policy_violation" });
  await assert.rejects(r.get("users", "w2"), (e) => e instanceof GoneError && e.reason === "Removed for violating the terms of service");
});

test("watch: a gone event purges the cache and marks the id gone without a request", async () => {
  await admin(gone.url, "PUT", "/api/users/watched", { name: "Watched" });
  const cache = memoryCache();
  const { c, log } = client({ cache });
  await c.get("users", "watched");
  assert.ok(cache.get("users/watched"));
  const seen = [];
  let resolveGone;
  const goneSeen = new Promise((r) => (resolveGone = r));
  const head = (await (await fetch(gone.url + "/api/changes?limit=1000", { headers: { Authorization: `Bearer ${READER}` } })).json()).last;
  const w = c.watch({
    since: head,
    onChange: (ch) => {
      seen.push(ch);
      if (ch.type === "gone" && ch.id === "watched") resolveGone();
    },
  });
  await admin(gone.url, "DELETE", "/api/users/watched?permanent=true&reason=user_request&alternative=/api/users");
  await goneSeen;
  w.close();
  await w.done;
  assert.equal(cache.get("users/watched"), undefined, "purged");
  const before = log.length;
  await assert.rejects(c.get("users", "watched"), (e) => {
    assert.ok(e instanceof GoneError && e.local);
    assert.match(e.message, /permanently deleted on/);
    assert.equal(e.reason, "User requested account deletion");
    assert.equal(e.alternative, "/api/users", "the feed's gone event carries the 410's alternative");
    return true;
  });
  assert.equal(log.length, before, "no request after the feed said gone");
  assert.ok(Number(w.lastEventId) > head);
});

test("a network error is retried with backoff, then thrown", async () => {
  const waits = [];
  // A port nothing listens on: the connection is refused at once.
  const { createServer } = await import("node:net");
  const srv = createServer();
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  const port = srv.address().port;
  await new Promise((r) => srv.close(r));
  const c = new GoneClient({ baseUrl: `http://127.0.0.1:${port}`, retry: { attempts: 3, baseDelay: 100 }, sleep: async (ms) => void waits.push(ms), random: () => 0.5 });
  await assert.rejects(c.get("users", "42"), TypeError);
  assert.deepEqual(waits, [75, 150], "two backoffs (half fixed, half jitter) between three attempts");
});

test("429 with an HTTP-date Retry-After is waited out", async () => {
  // gone itself never sends 429; a front that does stands where a rate
  // limiter would, and passes the retry through to the real server.
  const { createServer } = await import("node:http");
  let hits = 0;
  const front = createServer(async (req, res) => {
    hits++;
    if (hits === 1) {
      res.writeHead(429, { "Retry-After": new Date(Date.now() + 3000).toUTCString(), "Content-Type": "application/problem+json" });
      return res.end(JSON.stringify({ status: 429, message: "slow down" }));
    }
    const up = await fetch(gone.url + req.url, { headers: { Authorization: req.headers.authorization || "" } });
    res.writeHead(up.status, { "Content-Type": up.headers.get("Content-Type"), ETag: up.headers.get("ETag") || "" });
    res.end(await up.text());
  });
  await new Promise((r) => front.listen(0, "127.0.0.1", r));
  try {
    const waits = [];
    const c = new GoneClient({ baseUrl: `http://127.0.0.1:${front.address().port}`, token: READER, maxRetryAfter: 10, sleep: async (ms) => void waits.push(ms) });
    const u = await c.get("users", "42");
    assert.equal(u.name, "Ada Lovelace");
    assert.equal(waits.length, 1);
    assert.ok(waits[0] >= 2000 && waits[0] <= 4000, `waited ${waits[0]} ms for a Retry-After 3 s ahead`);
  } finally {
    await new Promise((r) => front.close(r));
  }
});
