"""Babel extractor for the service directory: every resident-facing text in `directory/*.yml`.

Registered in babel.cfg, so `make messages` puts directory texts into the same catalogs as
every other message, with a comment saying where each comes from.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

import yaml

from api.directory import ROLE_TEXT_FIELDS

TEXT_KEYS = {*ROLE_TEXT_FIELDS, "reflect", "referral_wait"}


def _walk(node: yaml.Node, path: tuple[str, ...]) -> Iterator[tuple[int, str, tuple[str, ...]]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _walk(value, (*path, str(key.value)))
    elif isinstance(node, yaml.ScalarNode) and path and path[-1] in TEXT_KEYS and node.value:
        yield node.start_mark.line + 1, node.value, path


def extract_directory(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    root = yaml.compose(fileobj.read().decode("utf-8"), Loader=yaml.SafeLoader)
    if root is None:
        return
    for line, text, path in _walk(root, ()):
        yield line, None, text, ["directory: " + ".".join(path)]
