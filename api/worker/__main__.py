"""`python -m api.worker`: the job worker (bot turns, deliveries, recovery sweep)."""

from __future__ import annotations

import logging
import time

from arq.worker import Worker
from redis.exceptions import BusyLoadingError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from api.config import get_settings
from api.logs import configure_logging
from api.worker.settings import worker_settings

log = logging.getLogger("api.worker")

#: Redis gone for longer than the connection's own retries (see api.queue.redis_settings).
REDIS_LOST = (RedisConnectionError, RedisTimeoutError, BusyLoadingError)


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level)
    while True:
        try:
            Worker(**worker_settings(settings)).run()
            return
        except REDIS_LOST as exc:
            # Nothing is lost by starting again: jobs stay in Redis, messages in the database.
            log.warning("lost Redis (%s); the worker starts again in 2 s", type(exc).__name__)
            time.sleep(2)


if __name__ == "__main__":
    main()
