"""The Optimizer Lab page through streamlit.testing (no browser)."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from engine.data import DATASETS
from engine.limits import MAX_EPOCHS
from page_models.optimizers import OPTIMIZERS
from page_models.surfaces import SURFACES, make_surface

from .helpers import open_app

PAGE = "pages/3_Optimizer_Lab.py"
FAST = {"epochs": "8", "seeds": "1"}


def run_page(**query) -> AppTest:
    """The page as a visitor opening its link with these query params sees it."""
    return open_app(PAGE, **query)


def charts(at: AppTest) -> list:
    return at.get("plotly_chart")


def surface_player(at: AppTest) -> dict:
    """What the page sent its trajectory player: {"map": JSON text, "present": bool}."""
    (player,) = [e for e in at.get("bidi_component")
                 if e.proto.component_name.endswith("surface_player")]
    return json.loads(player.proto.json)


def surface_map(at: AppTest) -> dict:
    """The trajectory map the page sent its player (viz.surface_plot.surface_player_data)."""
    return json.loads(surface_player(at)["map"])


def messages(at: AppTest) -> str:
    return " ".join(e.value for e in [*at.error, *at.warning])


def summary(at: AppTest):
    return at.dataframe[0].value.set_index("run")


def test_train_view_defaults():
    at = run_page()
    assert [t.value for t in at.title] == ["Optimizer Lab"]
    assert not at.error and not at.warning
    assert len(charts(at)) == 3  # losses, accuracies, decision boundaries
    table = summary(at)
    assert list(table.index) == ["SGD, lr=0.1", "SGD, lr=0.1, dropout 0.3", "Momentum, lr=0.05",
                                 "Momentum, lr=0.05, dropout 0.3", "Adam, lr=0.01",
                                 "Adam, lr=0.01, dropout 0.3"]
    assert (table["diverged"] == "no").all()
    # The story of the defaults: without dropout Adam fits the training set best and
    # overfits; dropout narrows the gap between training and validation loss.
    gap = table["val loss"] - table["train loss"]
    assert table.loc["Adam, lr=0.01", "train loss"] < table.loc["SGD, lr=0.1", "train loss"]
    assert gap["Adam, lr=0.01, dropout 0.3"] < gap["Adam, lr=0.01"]
    assert gap["Momentum, lr=0.05, dropout 0.3"] < gap["Momentum, lr=0.05"]


def test_a_rerun_comes_from_the_cache_and_leaves_no_progress_bar():
    at = run_page(**FAST)
    first = summary(at)
    at.run()  # a cache hit replays what the cached function drew: nothing may be left over
    assert not at.exception and not at.get("progress")
    assert summary(at).equals(first) and len(charts(at)) == 3


def test_with_and_without_dropout_differ():
    table = summary(run_page(**FAST))
    for name in ("SGD, lr=0.1", "Momentum, lr=0.05", "Adam, lr=0.01"):
        assert table.loc[name, "train loss"] != table.loc[f"{name}, dropout 0.3", "train loss"]


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_every_dataset(dataset):
    at = run_page(data=dataset, **FAST)
    assert not at.error, messages(at)
    expected = 2 if dataset == "regression" else 3  # no accuracy curves for regression
    assert len(charts(at)) == expected
    assert len(summary(at)) == 6


def test_a_huge_learning_rate_shows_a_divergence_message():
    at = run_page(opt="sgd:lr=10.0 momentum adam", act="relu", **FAST)
    assert "SGD, lr=10: diverged at step" in messages(at)
    assert summary(at).loc["SGD, lr=10", "diverged"].startswith("at step")
    assert len(charts(at)) == 3


def test_the_link_chooses_the_runs():
    at = run_page(opt="adam", drop="0", **FAST)
    assert list(summary(at).index) == ["Adam, lr=0.01"]
    at = run_page(opt="", **FAST)
    assert "Nothing to train" in messages(at)


def test_exceeding_a_cap_names_it():
    at = run_page(n="5000", epochs="500", seeds="5")
    assert "cap" in messages(at) and "training steps in this comparison" in messages(at)
    assert not charts(at)


def test_a_bad_network_text_is_a_message():
    at = run_page(hidden="32-x")
    assert "Cannot read the network" in messages(at)
    at = run_page(hidden="32-500")
    assert "cap" in messages(at) and not charts(at)


def test_query_params_round_trip():
    at = run_page(data="circles", noise="0.2", opt="sgd adam:lr=0.02", seeds="1", epochs="5",
                  x_axis="steps", log="1")
    assert at.selectbox(key="data").value == "circles"
    assert at.slider(key="noise").value == 0.2
    assert at.select_slider(key="opt1_lr").value == 0.02
    assert at.toggle(key="log").value is True
    assert "Adam, lr=0.02" in summary(at).index
    at.slider(key="epochs").set_value(6).run()
    assert not at.exception
    assert dict(at.query_params) == {"data": "circles", "noise": "0.2",
                                     "opt": "sgd adam:lr=0.02", "seeds": "1", "epochs": "6",
                                     "x_axis": "steps", "log": "1"}
    # A URL value out of range falls back to the default instead of breaking a widget.
    assert run_page(seeds="99", epochs="3").slider(key="seeds").value == 3


def test_switching_views_keeps_the_other_views_settings():
    at = run_page(**FAST, noise="0.2")
    at.segmented_control(key="view").set_value("surfaces").run()
    assert not at.exception and len(charts(at)) == 1 and surface_map(at)["runs"]
    at.segmented_control(key="view").set_value("train").run()
    assert at.slider(key="noise").value == 0.2 and at.slider(key="epochs").value == 8


def test_surface_view_defaults_show_the_rates():
    at = run_page(view="surfaces")
    assert not at.error
    assert len(charts(at)) == 1  # the loss gap; the trajectory map is the player's
    assert [r["label"] for r in surface_map(at)["runs"]] == [
        "SGD, lr=0.0952", "Momentum, lr=0.134, μ=0.403", "Adam, lr=0.1"]
    text = " ".join(m.value for m in at.markdown)
    assert "(κ−1)/(κ+1) = **0.9048**" in text and "(√κ−1)/(√κ+1) = **0.6345**" in text


def test_presenter_mode_tells_the_player_to_draw_large():
    assert surface_player(run_page(view="surfaces", present="1"))["present"] is True
    assert surface_player(run_page(view="surfaces"))["present"] is False


@pytest.mark.parametrize("surface", SURFACES)
def test_every_surface(surface):
    at = run_page(view="surfaces")
    at.selectbox(key="surface").set_value(surface).run()
    assert not at.exception and not at.error, messages(at)
    kappa = at.select_slider(key="kappa").value if surface == "quadratic" else None
    assert len(charts(at)) == 1
    assert surface_map(at)["title"] == make_surface(surface, kappa or 10.0).title
    if surface != "quadratic":  # its own start point, from the surface's defaults
        assert (at.number_input(key="x0").value, at.number_input(key="y0").value) != (-1.8, 1.0)


def test_surface_settings_without_the_optimal_step_sizes():
    at = run_page(view="surfaces", optimal="0", sopt="sgd:lr=0.05 adam")
    assert at.select_slider(key="sopt0_lr").value == 0.05
    assert "optimal settings" in " ".join(c.value for c in at.caption).lower()


def test_surface_divergence_and_bad_start_are_messages():
    at = run_page(view="surfaces", optimal="0", sopt="sgd:lr=10.0")
    assert not at.error and len(charts(at)) == 1
    (run,) = surface_map(at)["runs"]
    assert run["diverged_at"] and run["label"].startswith("SGD, lr=10: diverged at step")
    at = run_page(view="surfaces", x0="9.0")
    assert "start point must lie in the plotted area" in messages(at)


@pytest.mark.parametrize("surface", [s for s in SURFACES if s != "quadratic"])
def test_a_link_naming_only_the_surface_uses_its_own_start_and_settings(surface):
    """A hand-typed ?surface=saddle starts at the saddle's start point with its step count and
    learning rates (not the quadratic's), and no optimizer diverges there."""
    expected = make_surface(surface)
    at = run_page(view="surfaces", surface=surface)
    assert (at.number_input(key="x0").value, at.number_input(key="y0").value) == expected.start
    assert at.slider(key="steps").value == expected.steps
    for i, key in enumerate(("sgd", "momentum", "adam")):
        assert at.select_slider(key=f"sopt{i}_lr").value == OPTIMIZERS[key].surfaces[surface]["lr"]
    assert "diverged" not in at.get("plotly_chart")[0].proto.spec
    assert all(run["diverged_at"] is None for run in surface_map(at)["runs"])
    assert dict(at.query_params) == {"view": "surfaces", "surface": surface}


def test_a_surface_link_keeps_a_start_point_equal_to_the_quadratics():
    at = run_page(view="surfaces", surface="saddle")
    at.number_input(key="x0").set_value(-1.8).run()
    assert at.query_params["x0"] == "-1.8"
    again = run_page(**at.query_params)
    assert again.number_input(key="x0").value == -1.8
    assert again.number_input(key="y0").value == make_surface("saddle").start[1]


def test_runs_that_all_diverge_at_once_get_one_warning_and_say_so_in_every_chart():
    at = run_page(opt="sgd:lr=10.0 momentum:lr=10.0 adam:lr=10.0", act="relu", **FAST)
    assert len(at.warning) == 1
    assert "Adam, lr=10: diverged at step" in at.warning[0].value
    assert "SGD, lr=10, dropout 0.3: diverged at step" in at.warning[0].value
    losses, accuracies, boundaries = (c.proto.spec for c in charts(at))
    assert "Nothing to draw" in losses and "Nothing to draw" in accuracies
    assert boundaries.count("diverged: no model") == 6
    assert summary(at)["diverged"].str.startswith("at step").all()


def test_a_link_above_a_cap_says_which_cap_and_uses_the_default():
    at = run_page(epochs="5000", seeds="1")
    assert at.slider(key="epochs").value == 60
    notice = " ".join(i.value for i in at.info)
    assert f"epochs=5000 (at most {MAX_EPOCHS})" in notice and "seeds" not in notice
    assert not run_page(**FAST).info


SIX = "sgd nesterov:lr=0.02 rmsprop adagrad adam~cosine:T_max=40 adamw"


def test_a_six_optimizer_comparison():
    at = run_page(opt=SIX, no_drop="1", drop="0", **FAST)
    assert not at.error, messages(at)
    table = summary(at)
    assert list(table.index) == [
        "SGD, lr=0.1", "Nesterov, lr=0.02", "RMSprop, lr=0.01", "Adagrad, lr=0.1",
        "Adam, lr=0.01, Cosine annealing (T_max=40)", "AdamW, lr=0.01"]
    losses, accuracies, boundaries = (c.proto.spec for c in charts(at))
    for name in ("Nesterov, lr=0.02", "AdamW, lr=0.01"):
        assert name in losses and name in boundaries
    assert "opt_add_button" not in [b.key for b in at.button]  # six: no more can be added


def test_the_picker_adds_switches_and_removes_optimizers():
    at = run_page(opt="sgd adam", drop="0", **FAST)
    at.selectbox(key="opt_add").set_value("rmsprop")
    at.button(key="opt_add_button").click().run()
    assert at.query_params["opt"] == "sgd adam rmsprop"
    at.selectbox(key="opt0_key").set_value("nesterov").run()  # starts from Nesterov's defaults
    assert at.query_params["opt"] == "nesterov adam rmsprop"
    at.selectbox(key="opt1_schedule").set_value("step").run()
    assert at.query_params["opt"] == "nesterov adam~step:step_size=100,gamma=0.5 rmsprop"
    at.button(key="opt0_remove").click().run()
    assert at.query_params["opt"] == "adam~step:step_size=100,gamma=0.5 rmsprop"
    assert list(summary(at).index) == ["Adam, lr=0.01, Step decay (step_size=100, gamma=0.5)",
                                       "RMSprop, lr=0.01"]
    assert not at.exception


def test_an_unreadable_optimizer_list_falls_back_to_the_defaults():
    at = run_page(opt="sgd:lr=abc", **FAST)
    assert "Cannot read" in messages(at)
    assert list(summary(at).index)[::2] == ["SGD, lr=0.1", "Momentum, lr=0.05", "Adam, lr=0.01"]


@pytest.mark.parametrize("surface", SURFACES)
def test_every_surface_shows_six_trajectories(surface):
    at = run_page(view="surfaces", surface=surface, sopt=SIX)
    assert not at.error, messages(at)
    (gaps,) = (c.proto.spec for c in charts(at))
    paths = [run["label"] for run in surface_map(at)["runs"]]
    for name in ("SGD", "Nesterov", "RMSprop", "Adagrad", "Adam", "AdamW"):
        assert f'"name":"{name}, lr=' in gaps
    assert [p.split(",")[0] for p in paths] == ["SGD", "Nesterov", "RMSprop", "Adagrad",
                                                "Adam", "AdamW"]


def test_the_comparison_trains_on_the_data_of_a_csv_link():
    import numpy as np

    from page_models.optimizer_lab import load_data, own_key
    from page_models.own_data import from_csv, from_link, to_link

    rows = [f"{x:.2f},{0.5 * x * x - 1:.3f}" for x in np.linspace(-2, 2, 40)]  # regression
    link = to_link(from_csv("x,y\n" + "\n".join(rows))[0])
    at = run_page(**FAST, my_data="csv", my_points=link, val="0.25")
    assert not at.error  # the panel's chart, losses, fitted curves (regression: no accuracy)
    assert [c.key for c in charts(at)] == ["curves_0", "boundaries", "my_csv_chart"]
    assert at.query_params["my_points"][-1]  # the link carries the data
    own = from_link(link, "csv")
    data, train_data, val_data = load_data("moons", 200, 0.3, 0.25, own_key(own))
    np.testing.assert_array_equal(data.X, own.X)
    np.testing.assert_array_equal(data.y, own.y)
    assert (len(train_data), len(val_data)) == (30, 10)
    fitted = next(c for c in charts(at) if c.key == "boundaries")
    assert '"y":' in fitted.proto.spec and len(summary(at)) == 6


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_the_highest_learning_rate_on_the_default_setup_is_called_out(optimizer):
    """Moons, tanh: at lr = 10 the loss does not blow up past the engine's divergence bound
    but ends far above where it started; the page says so and the axes ignore that run."""
    at = run_page(opt=f"{optimizer}:lr=10 momentum", **FAST)
    name = f"{OPTIMIZERS[optimizer].name}, lr=10"
    assert f"{name}: diverged at step" in messages(at) or f"{name}: stalled at loss" in messages(at)
    outcome = summary(at).loc[name, "diverged"]
    assert outcome.startswith(("at step", "stalled at loss"))
    assert (summary(at).drop(index=[name, f"{name}, dropout 0.3"])["diverged"] == "no").all()


def test_each_chosen_optimizer_shows_its_update_rule_beside_its_name():
    at = run_page(**FAST)
    shown = [s.help for s in at.selectbox if s.label == "Optimizer"]
    assert shown == [OPTIMIZERS[key].about for key in ("sgd", "momentum", "adam")]
