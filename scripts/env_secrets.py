"""`make setup`: give `.env` its own random internal secrets, where it has none yet.

Each secret below that `.env` lacks, leaves empty or sets to the development value published in
`.env.example` gets `secrets.token_urlsafe(32)` (256 bits, URL-safe, so it fits in REDIS_URL as
it is). A value someone set is never changed, and no secret is printed. `.env` is not committed
(.gitignore) and is made readable by its owner only.

    python -m scripts.env_secrets [path to .env]
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from pathlib import Path

from scripts.stack import ROOT

#: The secrets `make setup` generates, with the development value it replaces if present.
GENERATED = {
    "REDIS_PASSWORD": "",
    "RASA_TOKEN": "dev-only-rasa-token-change-me",
    "ACTION_SERVER_TOKEN": "",
}


def fill(text: str, names: dict[str, str] = GENERATED) -> tuple[str, list[str]]:
    """`text` with a random value for each secret that is missing, empty or the development
    value; and the names that were given one."""
    lines = text.splitlines()
    done: list[str] = []
    for name, development in names.items():
        pattern = re.compile(rf"^\s*{name}\s*=\s*(.*?)\s*$")
        matches = [i for i, line in enumerate(lines) if pattern.match(line)]
        if matches:
            index = matches[-1]  # the last assignment is the one that counts
            value = pattern.match(lines[index]).group(1).strip("'\"")  # type: ignore[union-attr]
            if value and value != development:
                continue
            lines[index] = f"{name}={secrets.token_urlsafe(32)}"
        else:
            lines.append(f"{name}={secrets.token_urlsafe(32)}")
        done.append(name)
    return "\n".join(lines) + "\n", done


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".env"
    text, done = fill(path.read_text())
    if done:
        path.write_text(text)
        print(f"  {path.name}: new random {', '.join(done)}")
    os.chmod(path, 0o600)


if __name__ == "__main__":
    main()
