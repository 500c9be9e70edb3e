"""Rasa's Redis tracker store, saving in linear time (named in bot/endpoints.yml).

On every save Rasa's RedisTrackerStore merges the stored tracker with the new one. When the stored
tracker has events before the session's `action_session_start` (every conversation here: the
gateway's metadata puts a `session_started_metadata` slot first, and `retrieve` leaves it out),
Rasa merges by comparing each new event's `as_dict()` with every event kept so far: quadratic in
the conversation's length. Measured with bench/turns.py: the save at message 50 took 306 ms, the
whole turn 376 ms; with this merge 34 ms and 154 ms, with the same stored events.

This class does the same comparison with a set of each event's JSON. Loaded by Rasa (its Python
environment), never by the gateway.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker


def _key(event: Any) -> str:
    return json.dumps(event.as_dict(), sort_keys=True, default=str)


class LinearMergeRedisTrackerStore(RedisTrackerStore):
    @staticmethod
    def _merge_trackers(
        prior_tracker: DialogueStateTracker, tracker: DialogueStateTracker
    ) -> DialogueStateTracker:
        if not prior_tracker.events:
            return tracker
        past = tracker.travel_back_in_time(target_time=prior_tracker.events[-1].timestamp)
        if past.events == prior_tracker.events:
            return tracker
        merged = tracker.init_copy()
        merged.update_with_events(list(prior_tracker.events), override_timestamp=False, domain=None)
        seen = {_key(event) for event in merged.events}
        for event in tracker.events:
            key = _key(event)
            if key not in seen:
                merged.update(event)
                seen.add(key)
        return merged
