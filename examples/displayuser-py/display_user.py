"""The seeds' Python fetch_user and display_user, on gone's Python client.

The seeds wrote these by hand with requests: raise on 404, purge the cache
and never retry on 410, and tell the two apart by matching words in the
message. Here the client does the HTTP part, and the two are told apart by
type.

    python3 examples/displayuser-py/display_user.py [--url URL] [--lang es] USER-ID
"""

from __future__ import annotations

import argparse
import sys

from goneclient import Client, Gone, NotFound, Unavailable

TEXTS = {
    "en": {
        "user": "User: {name} <{email}>",
        "not_found": "User not found. Please check the user ID and try again.",
        "gone": "This user account has been permanently deleted and cannot be accessed.",
        "reason": "Reason: {reason}",
        "unavailable": "This user is temporarily unavailable. Try again in {seconds} seconds.",
        "removed": "Removed user {id} from cache",
    },
    "es": {
        "user": "Usuario: {name} <{email}>",
        "not_found": "Usuario no encontrado. Compruebe el ID del usuario e inténtelo de nuevo.",
        "gone": "Esta cuenta de usuario se eliminó permanentemente y no se puede acceder a ella.",
        "reason": "Motivo: {reason}",
        "unavailable": "Este usuario no está disponible por ahora. Inténtelo de nuevo en {seconds} segundos.",
        "removed": "Usuario {id} eliminado de la caché",
    },
}


def fetch_user(client: Client, user_id: str) -> dict:
    """The seeds' fetch_user: the user, or NotFound (might be temporary:
    check the id, retry later) or Gone (permanent: never retried; the
    client already purged it and calls on_gone)."""
    try:
        return client.get("users", user_id)
    except NotFound as e:
        print(f"404 Not Found: {e.message}")
        raise
    except Gone as e:
        print(f"410 Gone: {e.message}")
        raise


def display_user(client: Client, user_id: str, lang: str = "en") -> None:
    """The seeds' display_user: different feedback for 404 and 410, told
    apart by type rather than by the words of a message."""
    t = TEXTS.get(lang, TEXTS["en"])
    try:
        user = fetch_user(client, user_id)
        print(t["user"].format(name=user.get("name"), email=user.get("email")))
    except NotFound:
        # 404: might be temporary, or a typo. Offer to try again.
        print(t["not_found"])
    except Gone as e:
        # 410: permanent. No retry offered.
        print(t["gone"])
        if e.reason:
            print(t["reason"].format(reason=e.reason))
    except Unavailable as e:
        print(t["unavailable"].format(seconds=int(e.retry_after) if e.retry_after is not None else "?"))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description="The seeds' display_user against a gone server.")
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--lang", default="en", choices=sorted(TEXTS))
    ap.add_argument("ids", nargs="+", metavar="USER-ID")
    args = ap.parse_args(argv)
    t = TEXTS[args.lang]

    def remove_from_cache(path: str, _: Gone) -> None:
        # The seeds' remove_from_cache: the client already dropped its own
        # copy; this is where bookmarks or a database row would go.
        print(t["removed"].format(id=path.rsplit("/", 1)[-1]))

    client = Client(args.url, lang=args.lang, on_gone=remove_from_cache)
    for user_id in args.ids:
        display_user(client, user_id, args.lang)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
