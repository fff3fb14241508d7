"""viz.comparison: the Optimizer Lab's final boundaries, one per setting."""

import numpy as np

from engine import MLPSpec, make_dataset, train_val_split
from engine.train_grid import compare
from page_models.optimizers import OPTIMIZERS, OptimizerChoice
from viz.comparison import BOUNDARY_RESOLUTION, final_boundaries
from viz.curves import group_title


def choice(key: str, lr: float) -> OptimizerChoice:
    return OptimizerChoice(key, tuple((OPTIMIZERS[key].defaults() | {"lr": lr}).items()), None)


def test_each_setting_s_seed_0_model_gives_a_boundary_and_a_diverged_one_a_blank():
    train, val = train_val_split(make_dataset("moons", n=60, noise=0.1, seed=0), 0.2, seed=0)
    runs = compare(MLPSpec(n_in=2, hidden=(8,), n_out=2), [choice("adam", 0.01),
                   choice("sgd", 1e4)], 0.3, [0, 1], train, val, epochs=3, batch_size=16)
    grids = final_boundaries(runs, train)
    seed_0 = [run for run in runs if run.seed == 0]
    assert [title for title, _ in grids] == [group_title(run) for run in seed_0]
    assert len(grids) == 4  # 2 optimizers × {without, with dropout}
    for run, (_, grid) in zip(seed_0, grids):
        assert grid.values.shape == (BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION, 2)  # 2 classes
        assert np.isnan(grid.values).all() == run.history.diverged
    assert any(run.history.diverged for run in seed_0)
    assert not all(run.history.diverged for run in seed_0)
