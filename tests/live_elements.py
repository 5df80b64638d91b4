"""Reading the live view in AppTest: the live charts and the readout are Components v2 elements
(ui/live_chart.py) whose data is JSON; these helpers return what the browser would show last.

Import from a test module (pytest puts tests/ on sys.path)::

    from live_elements import live_elements, readout
"""
from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

COMPONENT = "backprop_playground.live_chart"


def live_elements(at: AppTest) -> dict[str, dict]:
    """key -> the element's data (kind, structure, frames, tick, …), for every live element on the page."""
    out = {}
    for el in at.get("bidi_component"):
        if el.proto.component_name == COMPONENT:
            data = json.loads(el.proto.json)
            out[data["key"]] = data
    return out


def readout(at: AppTest) -> dict[str, str]:
    """label -> value of the readout's last frame: the numbers on screen once the frames have played."""
    frames = live_elements(at)["readout"]["frames"]
    return {tile["label"]: tile["value"] for tile in frames[-1]}
