// The seeds' displayUser, on gone's JavaScript client: it shows a user, or
// tells a person what a 404, a 410 or a 503 means for them, in English or
// Spanish. In a browser, ui defaults to alert() and window.location.
import { NotFoundError, GoneError, UnavailableError } from "../../clients/js/index.js";

const texts = {
  en: {
    user: (u) => `User: ${u.name} <${u.email}>`,
    notFound: "User not found. Please check the user ID and try again.",
    gone: "This user account has been permanently deleted and cannot be accessed.",
    reason: (r) => `Reason: ${r}`,
    unavailable: (s) => `This user is temporarily unavailable. Try again in ${s} seconds.`,
    failed: (e) => `Could not load the user: ${e.message}`,
  },
  es: {
    user: (u) => `Usuario: ${u.name} <${u.email}>`,
    notFound: "Usuario no encontrado. Compruebe el ID del usuario e inténtelo de nuevo.",
    gone: "Esta cuenta de usuario se eliminó permanentemente y no se puede acceder a ella.",
    reason: (r) => `Motivo: ${r}`,
    unavailable: (s) => `Este usuario no está disponible por ahora. Inténtelo de nuevo en ${s} segundos.`,
    failed: (e) => `No se pudo cargar el usuario: ${e.message}`,
  },
};

/**
 * Shows user userId through ui.show (alert by default); on a 410 sends the
 * person to the list of users (ui.redirect, window.location by default).
 * Returns what it showed.
 */
export async function displayUser(client, userId, { lang = client.lang || "en", ui = browserUI() } = {}) {
  const t = texts[lang] || texts.en;
  try {
    const user = await client.get("users", userId);
    return ui.show(t.user(user));
  } catch (error) {
    if (error instanceof NotFoundError) {
      // 404: might be temporary, or a typo. Offer to try again.
      return ui.show(t.notFound);
    }
    if (error instanceof GoneError) {
      // 410: permanent. No retry; the client already purged its cache.
      const shown = ui.show(error.reason ? `${t.gone}\n${t.reason(error.reason)}` : t.gone);
      ui.redirect("/users");
      return shown;
    }
    if (error instanceof UnavailableError) {
      return ui.show(t.unavailable(error.retryAfter ?? "?"));
    }
    return ui.show(t.failed(error));
  }
}

function browserUI() {
  return {
    show: (msg) => (globalThis.alert ? globalThis.alert(msg) : console.log(msg), msg),
    redirect: (to) => {
      if (globalThis.window?.location) globalThis.window.location.href = to;
    },
  };
}
