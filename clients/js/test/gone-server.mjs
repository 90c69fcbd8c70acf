// A real `gone serve --demo` for the tests: built with `go build` from
// this repository, on a free port, over a fresh SQLite file.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const ADMIN = "js-admin-token";
export const READER = "js-reader-token";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export async function startGone(env = {}) {
  const dir = mkdtempSync(join(tmpdir(), "gone-js-"));
  const bin = join(dir, "gone");
  execFileSync("go", ["build", "-o", bin, "./cmd/gone"], { cwd: repo, stdio: "inherit" });
  const child = spawn(bin, ["serve", "--addr", "127.0.0.1:0", "--db", join(dir, "gone.db"), "--demo"], {
    env: { ...process.env, GONE_ADMIN_TOKEN: ADMIN, GONE_READ_TOKEN: READER, GONE_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (b) => {
      out += b;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`gone serve exited with ${code}: ${out}`)));
  });
  return {
    url,
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fetch that records every request it sends (method, path, status). */
export function countingFetch() {
  const log = [];
  const f = async (url, init = {}) => {
    const res = await fetch(url, init);
    log.push({ method: init.method || "GET", path: new URL(url).pathname, status: res.status, inm: init.headers?.["If-None-Match"] });
    return res;
  };
  f.log = log;
  return f;
}

/** Sends one admin request. */
export async function admin(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": method === "PATCH" && !path.endsWith("/lifecycle") ? "application/merge-patch+json" : "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}
