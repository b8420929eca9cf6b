"""``python -m bot.http.healthcheck [/readyz]``: exit 0 when the local API answers 200.

For the container healthcheck: the slim image has no curl, and this reads the port from the same
settings as the server. It always asks 127.0.0.1, whatever host the server binds.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

from bot.settings import SettingsError, load_settings

TIMEOUT_SECONDS = 5.0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = args[0] if args else "/readyz"
    if not path.startswith("/"):
        print(f"healthcheck: the path must start with '/', got {path!r}", file=sys.stderr)
        return 2
    try:
        port = load_settings().http_port
    except SettingsError as err:
        print(f"healthcheck: {err}", file=sys.stderr)
        return 1
    url = f"http://127.0.0.1:{port}{path}"
    # No proxy handler: a proxy from the environment must never see (or answer) a local probe.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=TIMEOUT_SECONDS) as response:
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as err:
        print(
            f"healthcheck: {url} answered {err.code}: {err.read(300).decode(errors='replace')}",
            file=sys.stderr,
        )
        return 1
    except OSError as err:
        print(f"healthcheck: {url} unreachable: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
