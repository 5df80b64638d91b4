"""Tiny demo for tests/test_live_chart.py: two live charts updated by a fragment while "Play" is on.

Run: streamlit run tests/apps/live_chart_demo.py
"""
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # repo root, for `playground`

from playground.ui.live_chart import live_chart  # noqa: E402

st.title("live_chart demo")
play = st.toggle("Play", key="play")
if "tick" not in st.session_state:
    st.session_state.tick = 0


@st.fragment(run_every=0.1 if play else None)
def charts() -> None:
    if st.session_state.get("play"):
        st.session_state.tick += 1
    t = st.session_state.tick
    st.caption(f"tick {t}")
    rng = np.random.default_rng(t)
    x = np.arange(200)
    live_chart(
        go.Figure(go.Scatter(x=x, y=np.sin(x / 10 + t / 5) + 0.1 * rng.standard_normal(200), mode="lines")),
        key="line",
        height=300,
    )
    live_chart(go.Figure(go.Heatmap(z=rng.standard_normal((8, 200)))), key="heat", height=250)


charts()
