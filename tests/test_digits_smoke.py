"""The shipped real datasets learn: a one-hidden-layer network trained by mini-batch descent for a
bounded number of epochs does clearly better than chance on the test part. And the page shows the
digit images chart when the dataset is digits.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # AppTest runs app.py in this process; it imports `playground`
    sys.path.insert(0, str(ROOT))

from playground import readouts  # noqa: E402
from playground.config import DEFAULT, replace  # noqa: E402
from playground.experiment import new_run  # noqa: E402

APP = str(ROOT / "app.py")
TIMEOUT = 60


@pytest.mark.parametrize("dataset, epochs, chance, floor", [
    ("digits", 15, 0.1, 0.8),  # about 0.97 after 10 epochs
    ("iris", 30, 1 / 3, 0.85),  # about 0.95
])
def test_a_hidden_layer_of_32_learns_the_real_dataset(dataset: str, epochs: int, chance: float, floor: float) -> None:
    run = new_run(replace(DEFAULT, dataset=dataset, hidden=(32,), alpha=0.3, batch_size=16))
    assert run.data.task == "classification" and len(run.data.y_test) > 0
    assert abs(1 / run.data.n_classes - chance) < 1e-9
    for _ in range(epochs):
        assert run.run_epoch(), run.notice
    assert run.epoch == epochs and run.diverged_at is None
    accuracy = readouts.metric(run, run.net.predict(run.data.X_test), run.data.y_test)
    run.measure()  # test numbers are measured when drawn, not every epoch
    assert accuracy == run.history.columns()["metric_test"][-1]
    assert accuracy > floor, f"{dataset}: test accuracy {accuracy:.3f} after {epochs} epochs (chance {chance:.2f})"


def _chart_keys(at: AppTest) -> set[str]:
    return {json.loads(el.proto.json)["key"] for el in at.get("bidi_component")}


def test_the_page_shows_digit_images_for_digits_only() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "images" not in _chart_keys(at)
    at.selectbox(key="dataset").set_value("digits")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["session"].run.cfg.dataset == "digits"
    assert "images" in _chart_keys(at)
    assert any(md.startswith("**Some training images**") for md in (m.value for m in at.markdown))
