"""Finding elements in a `uiautomator dump` hierarchy (pure, tested without a device)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

_BOUNDS = re.compile(r"\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]")


@dataclass(frozen=True)
class Node:
    text: str
    resource_id: str
    content_desc: str
    bounds: tuple[int, int, int, int]

    @property
    def center(self) -> tuple[int, int]:
        left, top, right, bottom = self.bounds
        return (left + right) // 2, (top + bottom) // 2


def parse_nodes(xml: str) -> list[Node]:
    """All nodes with usable bounds. Output after the XML (some ROMs append a status line) is cut."""
    end = xml.rfind("</hierarchy>")
    start = xml.find("<?xml")
    if start < 0:
        start = xml.find("<hierarchy")
    if start < 0 or end < 0:
        return []
    try:
        root = ET.fromstring(xml[start:end + len("</hierarchy>")])
    except ET.ParseError:
        return []
    nodes = []
    for element in root.iter("node"):
        match = _BOUNDS.fullmatch(element.get("bounds", ""))
        if not match:
            continue
        bounds = (int(match[1]), int(match[2]), int(match[3]), int(match[4]))
        nodes.append(Node(element.get("text", ""), element.get("resource-id", ""),
                          element.get("content-desc", ""), bounds))
    return nodes


def find(nodes: list[Node], text: str | None = None, resource_id: str | None = None) -> Node | None:
    """Exact text (or content-desc, for icon buttons) first, then a substring; resource ids match in full
    or by the part after ":id/" so scripts can write `id: login` for `com.app:id/login`."""
    if resource_id is not None:
        for node in nodes:
            if node.resource_id == resource_id or node.resource_id.endswith(f":id/{resource_id}"):
                return node
        return None
    if text is None:
        return None
    for exact in (True, False):
        for node in nodes:
            for value in (node.text, node.content_desc):
                if value and (value == text if exact else text in value):
                    return node
    return None
