"""examples/displayuser-py, the seeds' fetch_user/display_user, run as a
program against a real `gone serve --demo`, in English and Spanish."""

from __future__ import annotations

import subprocess
import sys

import pytest
from goneserver import REPO, Gone

EXAMPLE = REPO / "examples" / "displayuser-py" / "display_user.py"

CASES = {
    "en": [
        "User: Ada Lovelace <ada@example.com>",
        "404 Not Found: User with ID 999 does not exist",
        "User not found. Please check the user ID and try again.",
        # on_gone (the seeds' remove_from_cache) runs as the 410 arrives,
        # before fetch_user sees the exception.
        "Removed user 123 from cache",
        "410 Gone: This user account was permanently deleted on 2026-01-05",
        "This user account has been permanently deleted and cannot be accessed.",
        "Reason: User requested account deletion",
        # Asked again: the client remembers the 410, sends nothing, and
        # does not purge twice.
        "410 Gone: This user account was permanently deleted on 2026-01-05",
        "This user account has been permanently deleted and cannot be accessed.",
        "Reason: User requested account deletion",
    ],
    "es": [
        "Usuario: Ada Lovelace <ada@example.com>",
        "404 Not Found: El usuario con ID 999 no existe",
        "Usuario no encontrado. Compruebe el ID del usuario e inténtelo de nuevo.",
        "Usuario 123 eliminado de la caché",
        "410 Gone: Esta cuenta de usuario fue eliminada permanentemente el 2026-01-05",
        "Esta cuenta de usuario se eliminó permanentemente y no se puede acceder a ella.",
        "Motivo: El usuario solicitó la eliminación de la cuenta",
        "410 Gone: Esta cuenta de usuario fue eliminada permanentemente el 2026-01-05",
        "Esta cuenta de usuario se eliminó permanentemente y no se puede acceder a ella.",
        "Motivo: El usuario solicitó la eliminación de la cuenta",
    ],
}


@pytest.mark.parametrize("lang", sorted(CASES))
def test_display_user_reproduces_the_seeds_flow(server: Gone, lang: str) -> None:
    server.sync()
    before = len(server.requests_for("/api/users/123", "GET"))
    out = subprocess.run(
        [sys.executable, str(EXAMPLE), "--url", server.url, "--lang", lang, "42", "999", "123", "123"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, f"exit {out.returncode}: {out.stderr}"
    got = out.stdout.splitlines()
    assert got == CASES[lang], f"output:\n{out.stdout}\nwant:\n" + "\n".join(CASES[lang])
    server.sync()
    sent = len(server.requests_for("/api/users/123", "GET")) - before
    assert sent == 1, f"requests for user 123 = {sent}, want 1 (the second display is answered from memory)"
