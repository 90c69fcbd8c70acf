// displayUser against a real `gone serve --demo`, in English and Spanish.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { GoneClient } from "../../clients/js/index.js";
import { startGone } from "../../clients/js/test/gone-server.mjs";
import { displayUser } from "./displayUser.js";

let gone;
before(async () => (gone = await startGone()));
after(async () => gone?.stop());

const cases = {
  en: {
    42: "User: Ada Lovelace <ada@example.com>",
    999: "User not found. Please check the user ID and try again.",
    123: "This user account has been permanently deleted and cannot be accessed.\nReason: User requested account deletion",
  },
  es: {
    42: "Usuario: Ada Lovelace <ada@example.com>",
    999: "Usuario no encontrado. Compruebe el ID del usuario e inténtelo de nuevo.",
    123: "Esta cuenta de usuario se eliminó permanentemente y no se puede acceder a ella.\nMotivo: El usuario solicitó la eliminación de la cuenta",
  },
};

for (const [lang, ids] of Object.entries(cases)) {
  test(`displayUser in ${lang}`, async () => {
    const client = new GoneClient({ baseUrl: gone.url, lang });
    for (const [id, want] of Object.entries(ids)) {
      const redirects = [];
      const ui = { show: (m) => m, redirect: (to) => redirects.push(to) };
      assert.equal(await displayUser(client, id, { ui }), want);
      assert.deepEqual(redirects, id === "123" ? ["/users"] : [], `redirects for ${id}`);
    }
  });
}
