// node examples/displayuser-js/main.js [--url http://127.0.0.1:8080] [--lang es] USER-ID
import { parseArgs } from "node:util";
import { GoneClient } from "../../clients/js/index.js";
import { displayUser } from "./displayUser.js";

const { values, positionals } = parseArgs({
  options: { url: { type: "string", default: "http://127.0.0.1:8080" }, lang: { type: "string", default: "en" } },
  allowPositionals: true,
});
if (positionals.length !== 1) {
  console.error("usage: main.js [--url URL] [--lang en|es] USER-ID");
  process.exit(2);
}
const client = new GoneClient({ baseUrl: values.url, lang: values.lang });
await displayUser(client, positionals[0], {
  ui: { show: (m) => (console.log(m), m), redirect: (to) => console.log(`(would go to ${to})`) },
});
