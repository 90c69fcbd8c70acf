// The signed-in token lives in sessionStorage only: it ends with the tab,
// is never written to localStorage, and never appears in a URL (routes are
// in the fragment and carry no secrets).

const TOKEN = 'gone.token';
const ROLE = 'gone.role';

export const session = {
  get token() { return sessionStorage.getItem(TOKEN) || ''; },
  get role() { return sessionStorage.getItem(ROLE) || ''; },
  get admin() { return this.role === 'admin'; },
  signIn(token, role) {
    sessionStorage.setItem(TOKEN, token);
    sessionStorage.setItem(ROLE, role);
  },
  signOut() {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(ROLE);
  },
  // index is GET /api: collections and the reason catalog.
  index: null,
  // refused is the server's message when it refused the session's token.
  refused: '',
};
