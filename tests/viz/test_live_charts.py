"""viz.live_charts' player data: what the browser decodes is what the frames hold."""

import base64
import json

import numpy as np

from page_models.live import Playback
from page_models.network_builder import PARAMS, build
from viz.boundary import class_fill_table, winner_and_confidence
from viz.live_charts import CONFIDENCE_LEVELS, PlayerFeed, player_frames, player_setup

DEFAULTS = {name: param.default for name, param in PARAMS.items()}


def decoded(text, dtype):
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


def test_a_frame_decodes_to_its_boundary_losses_and_weights():
    setup = build(DEFAULTS)
    frame = Playback(setup).frames(3)[-1]
    sent = player_frames([frame])[0]
    assert sent["epoch"] == 2
    assert sent["loss"] == [float(f"{frame.train_loss:.4g}"), float(f"{frame.val_loss:.4g}")]
    codes = decoded(sent["boundary"], np.uint8).reshape(frame.predictions.shape[:2])
    winner, confidence = winner_and_confidence(frame.predictions)
    np.testing.assert_array_equal(codes // CONFIDENCE_LEVELS, winner)
    np.testing.assert_allclose(codes % CONFIDENCE_LEVELS / (CONFIDENCE_LEVELS - 1), confidence,
                               atol=0.5 / (CONFIDENCE_LEVELS - 1))
    assert len(sent["norms"]) == len(frame.grad_norms)
    for (rows, cols, values), (r, c, v) in zip(frame.edges, sent["edges"], strict=True):
        np.testing.assert_array_equal(decoded(r, np.uint8), rows)
        np.testing.assert_array_equal(decoded(c, np.uint8), cols)
        np.testing.assert_allclose(decoded(v, np.int8) / 127 * sent["scale"], values,
                                   atol=sent["scale"] / 127)


def test_the_fill_table_has_a_colour_for_every_code_white_when_unsure():
    table = class_fill_table(3, CONFIDENCE_LEVELS)
    assert len(table) == 3 * CONFIDENCE_LEVELS
    assert table[0] == table[CONFIDENCE_LEVELS] == "#ffffff"
    assert len(set(table[CONFIDENCE_LEVELS - 1::CONFIDENCE_LEVELS])) == 3


def test_the_setup_names_each_layer_and_column():
    data = player_setup(build({**DEFAULTS, "net": "2-4-3-2:relu:0.5"}))
    assert data["layers"] == ["Layer 1 (2→4)", "Layer 2 (4→3)", "Layer 3 (3→2)"]
    assert data["columns"] == [2, 4, 3, 2]
    assert data["columnNotes"] == ["x₁, x₂", "relu · drop 0.5", "relu · drop 0.5", "softmax"]
    assert len(data["points"]["x"]) == 200 and len(data["fill"]) == 2 * CONFIDENCE_LEVELS


def test_a_regression_frame_sends_its_curve_and_nothing_for_non_finite_values():
    setup = build({**DEFAULTS, "data": "regression", "features": ("x1",), "net": "1-4-1"})
    frame = Playback(setup).frames(1)[0]
    sent = player_frames([frame])[0]
    assert len(sent["boundary"]) == len(frame.predictions)
    assert player_setup(setup)["fill"] is None


def epochs(frames) -> list[int]:
    return [json.loads(frame)["epoch"] for frame in frames]


def test_the_feed_trains_on_demand_and_a_repeated_request_costs_nothing():
    feed = PlayerFeed(Playback(build(DEFAULTS)))
    first = feed.frames(0, 4)
    assert epochs(first) == [0, 1, 2, 3, 4] and feed.end is None
    assert feed.frames(2, 3) == first[2:4] and feed.playback.made == 5
    assert epochs(feed.frames(4, 6)) == [4, 5, 6]
    assert json.loads(first[3]) == player_frames(Playback(build(DEFAULTS)).frames(4))[3]


def test_the_feed_says_where_and_why_a_run_ended():
    setup = build({**DEFAULTS, "data": "regression", "features": ("x1",), "net": "1-8-1",
                   "opt": "sgd:lr=1"})
    feed = PlayerFeed(Playback(setup))
    frames = feed.frames(0, 100)
    assert feed.end == {"epoch": epochs(frames)[-1], "reason": feed.playback.stop_reason}
    assert "diverged" in feed.end["reason"]


def test_a_request_stops_after_its_time_budget_with_at_least_one_new_frame():
    feed = PlayerFeed(Playback(build(DEFAULTS)))
    assert epochs(feed.frames(0, 50, budget_s=0.0)) == [0]
    assert epochs(feed.frames(1, 50, budget_s=0.0)) == [1]
    assert len(feed.frames(0, 50)) == 51
