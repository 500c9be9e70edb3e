"""`python -m api.worker`: the job worker (bot turns, deliveries, recovery sweep)."""

from __future__ import annotations

from arq.worker import Worker

from api.config import get_settings
from api.logs import configure_logging
from api.worker.settings import worker_settings


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level)
    Worker(**worker_settings(settings)).run()


if __name__ == "__main__":
    main()
