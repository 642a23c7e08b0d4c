"""Container healthcheck for the web service: GET /healthz, healthy only on 200.

Runs inside the container (no curl in the slim image). The request carries a host name from
ALLOWED_HOSTS, so the check keeps working when ALLOWED_HOSTS no longer lists localhost.
"""

import os
import sys
import urllib.request


def host_header() -> str:
    for host in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")  # ".example.org" also allows "example.org"
        if host and host != "*":
            return host
    return "localhost"


def main() -> int:
    request = urllib.request.Request("http://127.0.0.1:8000/healthz", headers={"Host": host_header()})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (fixed http URL)
            return 0 if response.status == 200 else 1
    except OSError as error:  # refused, timed out, or an HTTP error status such as 503
        print(f"healthcheck: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
