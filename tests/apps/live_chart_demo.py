"""Tiny demo for tests/test_live_chart.py: a live chart and a readout fed by a fragment while "Play" is on.

Each tick sends FRAMES snapshots of a sine wave (a numbers-only patch each) and a readout frame per
snapshot; the browser plays them between ticks. Run: streamlit run tests/apps/live_chart_demo.py
"""
import sys
from pathlib import Path

import numpy as np
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # repo root, for `playground`

from playground.figures.spec import to_json, typed  # noqa: E402
from playground.ui.live_chart import live_chart, live_readout  # noqa: E402

FRAMES = 10
TICK = 0.5
X = np.arange(200)
STRUCTURE = to_json({"data": [{"type": "scatter", "mode": "lines", "x": X.tolist(), "y": []}],
                     "layout": {"height": 300, "xaxis": {"range": [0, 199]}, "yaxis": {"range": [-1.5, 1.5]}}})

st.title("live_chart demo")
play = st.toggle("Play", key="play")
st.session_state.setdefault("step", 0)
st.session_state.setdefault("tick", 0)


@st.fragment(run_every=TICK if play else None)
def charts() -> None:
    steps = list(range(st.session_state.step + 1, st.session_state.step + 1 + FRAMES)) if play else [
        st.session_state.step]
    st.session_state.step = steps[-1]
    st.session_state.tick += 1
    clock = dict(tick=st.session_state.tick, span=TICK if play else 0.0, members=2)
    live_readout(key="readout", frames=[[{"label": "Step", "value": str(s)}] for s in steps], **clock)
    live_chart(key="line", structure=STRUCTURE, themed=True, epochs=steps, height=300, frames=[
        {"t": [[0, {"y": typed(np.sin(X / 10 + s / 5).astype(np.float32))}]], "l": []} for s in steps], **clock)


charts()
