"""How the spatiotemporal tasks build registered time-series models, and the model arguments configs may set."""

from __future__ import annotations

import inspect

import pytest
import torch

from geotorch.core import get_entry, list_models
from geotorch.trainers.spatiotemporal import (
    SEQUENCE_REGRESSION,
    SERIES_SEGMENTATION,
    SequenceModelArguments,
    SeriesModelArguments,
    regression_metrics,
    series_inputs,
    series_network,
)


@pytest.mark.parametrize(
    ("kind", "typed"), [(SERIES_SEGMENTATION, SeriesModelArguments), (SEQUENCE_REGRESSION, SequenceModelArguments)]
)
def test_config_arguments_are_those_the_registered_builders_take(kind: str, typed: type) -> None:
    taken: set[str] = set()
    for name in list_models(task=kind):
        entry = get_entry("model", name)
        mapped = set(entry.metadata["arguments"].values())
        taken |= set(inspect.signature(entry.load()).parameters) - mapped
    assert set(typed.__annotations__) == taken


def test_a_model_is_built_by_name_with_channels_per_step_and_outputs() -> None:
    network = series_network("Conv3DLSTM", SERIES_SEGMENTATION, 5, 7, "Task", conv3d_dim=4, hidden_dim=3)
    assert network(torch.rand(1, 2, 5, 8, 8)).shape == (1, 7, 8, 8)
    sequence = series_network("ltae", SEQUENCE_REGRESSION, 5, 7, "Task", n_head=2, d_model=8, n_neurons=[8, 4])
    assert sequence.eval()(torch.rand(2, 3, 5)).shape == (2, 7)


def test_a_model_of_another_kind_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match=r"Task: unknown model 'ltae'; choose from conv3dlstm, convlstm, utae"):
        series_network("ltae", SERIES_SEGMENTATION, 5, 7, "Task")


def test_the_batch_length_is_the_models_lengths() -> None:
    model = torch.nn.Identity()
    assert series_inputs({"image": torch.rand(1)}, model, "task") == {}
    assert series_inputs({"length": torch.tensor([3])}, model, "task")["lengths"].tolist() == [3]


def test_regression_scores_are_torchgeo_names_per_output() -> None:
    single = regression_metrics(1, None)
    single.update(torch.tensor([1.0, 3.0]), torch.tensor([2.0, 2.0]))
    assert {name: float(value) for name, value in single.compute().items()} == {"RMSE": 1.0, "MSE": 1.0, "MAE": 1.0}
    several = regression_metrics(2, ["ndvi", "lai"])
    several.update(torch.tensor([[1.0, 0.0], [1.0, 0.0]]), torch.tensor([[1.0, 2.0], [1.0, 2.0]]))
    scores = {name: float(value) for name, value in several.compute().items()}
    assert scores == {
        "RMSE_ndvi": 0.0,
        "RMSE_lai": 2.0,
        "MSE_ndvi": 0.0,
        "MSE_lai": 4.0,
        "MAE_ndvi": 0.0,
        "MAE_lai": 2.0,
    }
    with pytest.raises(ValueError, match="labels has 1 names but the task has num_outputs=2"):
        regression_metrics(2, ["ndvi"])
