"""ConvLSTM, Conv3dLSTM, LTAE and U-TAE: output shapes of (B, T, C, H, W) series, padding, gradients, registry."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
import torch
from torch import Tensor, nn

from geotorch.core import get_entry, get_model, list_models
from geotorch.models import LTAE, UTAE, Conv3dLSTM, ConvLSTM

#: Small instances of every time-series model, for (B, T, 4, 8, 8) series and 3 outputs.
SMALL: dict[str, Callable[[], nn.Module]] = {
    "ConvLSTM": lambda: ConvLSTM(input_dim=4, hidden_dim=[6, 5], kernel_size=[3, (3, 5)], num_layers=2, num_classes=3),
    "Conv3dLSTM": lambda: Conv3dLSTM(input_dim=4, conv3d_dim=6, hidden_dim=5, num_outputs=3),
    "Conv3dLSTM-chip": lambda: Conv3dLSTM(input_dim=4, conv3d_dim=6, hidden_dim=5, num_outputs=3, output_mode="chip"),
    "LTAE": lambda: LTAE(in_channels=4, n_head=2, d_k=4, n_neurons=(8, 6), d_model=8, num_classes=3),
    "UTAE": lambda: UTAE(
        input_dim=4,
        num_classes=3,
        encoder_widths=(8, 8, 16),
        decoder_widths=(8, 8, 16),
        out_conv=(8,),
        n_head=4,
        d_model=16,
        d_k=4,
    ),
}

#: The output each model gives for a (2, T, 4, 8, 8) series.
SHAPES = {
    "ConvLSTM": (2, 3, 8, 8),
    "Conv3dLSTM": (2, 3, 8, 8),
    "Conv3dLSTM-chip": (2, 3),
    "LTAE": (2, 3, 8, 8),
    "UTAE": (2, 3, 8, 8),
}


def series(steps: int, seed: int, batch: int = 1) -> Tensor:
    return torch.randn(batch, steps, 4, 8, 8, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("name", SMALL)
def test_each_model_maps_a_series_to_its_output_shape(name: str) -> None:
    model = SMALL[name]().eval()
    with torch.no_grad():
        assert model(series(5, 0, batch=2)).shape == SHAPES[name]
        assert model(series(5, 0, batch=2), lengths=torch.tensor([3, 5])).shape == SHAPES[name]


@pytest.mark.parametrize("name", SMALL)
def test_steps_padded_beyond_lengths_do_not_change_the_output(name: str) -> None:
    torch.manual_seed(0)
    model = SMALL[name]().eval()
    short, long = series(3, 1), series(6, 2)
    garbage = 100 * series(3, 3)
    padded = torch.cat([torch.cat([short, garbage], dim=1), long])
    with torch.no_grad():
        together = model(padded, lengths=torch.tensor([3, 6]))
        torch.testing.assert_close(together[:1], model(short), rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(together[1:], model(long), rtol=1e-4, atol=1e-5)
        # Without lengths the padding is read as data: the check above is not vacuous.
        assert not torch.allclose(model(padded)[:1], model(short), atol=1e-3)


@pytest.mark.parametrize("name", SMALL)
@pytest.mark.parametrize("lengths", [None, torch.zeros(0, dtype=torch.long)])
def test_an_empty_batch_gives_an_empty_output_of_the_model_s_shape(name: str, lengths: Tensor | None) -> None:
    # LTAE and U-TAE raised "cannot reshape tensor of 0 elements into shape [0, 8, 8, -1]".
    for mode in (False, True):
        model = SMALL[name]().train(mode)
        assert model(series(3, 0, batch=0), lengths=lengths).shape == (0, *SHAPES[name][1:])


def test_utae_batch_norm_statistics_see_only_the_real_steps() -> None:
    # Padded steps entered encoder_norm='batch''s statistics: a series padded with zeros (or anything) got
    # another normalisation, hence other logits, and shifted the running mean and variance kept for inference.
    torch.manual_seed(0)
    model = UTAE(4, num_classes=3, encoder_widths=(8, 16), decoder_widths=(8, 16), n_head=4, d_model=16,
                 encoder_norm="batch", dropout=0.0).train()  # fmt: skip
    padded_model = copy.deepcopy(model)
    real = series(3, 1)
    padded = torch.cat([real, 100 * series(2, 2)], dim=1)
    torch.testing.assert_close(padded_model(padded, lengths=torch.tensor([3])), model(real))
    for (name, stats), (_, padded_stats) in zip(model.named_buffers(), padded_model.named_buffers(), strict=True):
        torch.testing.assert_close(padded_stats, stats, msg=f"running statistic {name}")


@pytest.mark.parametrize("name", SMALL)
def test_gradients_reach_every_parameter(name: str) -> None:
    torch.manual_seed(0)
    model = SMALL[name]().train()
    model(series(4, 4, batch=2), lengths=torch.tensor([4, 2])).square().mean().backward()
    missing = [key for key, parameter in model.named_parameters() if parameter.grad is None]
    assert missing == []
    assert all(bool(parameter.grad.abs().sum() > 0) for parameter in model.parameters() if parameter.grad is not None)


def test_convlstm_features_hold_every_step_of_every_layer() -> None:
    model = ConvLSTM(input_dim=4, hidden_dim=[6, 5], num_layers=2, return_all_layers=True)
    outputs, states = model.forward_features(series(5, 0, batch=2))
    assert [output.shape for output in outputs] == [(2, 5, 6, 8, 8), (2, 5, 5, 8, 8)]
    torch.testing.assert_close(states[1][0], outputs[1][:, -1])


def test_convlstm_uses_the_last_valid_step_and_the_last_step_for_longer_lengths() -> None:
    model = ConvLSTM(input_dim=4, hidden_dim=6, num_classes=2).eval()
    steps = series(5, 0, batch=2)
    with torch.no_grad():
        torch.testing.assert_close(model(steps, lengths=torch.tensor([5, 9])), model(steps))


def test_conv3dlstm_returns_one_output_per_step_with_return_sequence() -> None:
    pixel = Conv3dLSTM(input_dim=4, conv3d_dim=6, hidden_dim=5, num_outputs=3, return_sequence=True)
    chip = Conv3dLSTM(
        input_dim=4, conv3d_dim=6, hidden_dim=5, num_outputs=3, return_sequence=True, output_mode="chip", pooling="max"
    )
    assert pixel(series(5, 0, batch=2)).shape == (2, 5, 3, 8, 8)
    assert chip(series(5, 0, batch=2)).shape == (2, 5, 3)


def test_ltae_encodes_sequences_into_torchgeo_features_or_logits() -> None:
    features = LTAE(in_channels=10, n_head=4, d_k=4, n_neurons=(32, 16), d_model=32).eval()
    classifier = LTAE(in_channels=10, n_head=4, d_k=4, n_neurons=(32, 16), d_model=32, num_classes=7).eval()
    sequences = torch.randn(3, 12, 10)
    assert features(sequences).shape == (3, 16)
    assert classifier(sequences).shape == (3, 7)


def test_ltae_attention_sums_to_one_over_the_valid_steps_only() -> None:
    model = LTAE(in_channels=10, n_head=4, d_k=4, n_neurons=(32, 16), d_model=32).eval()
    _, attention = model.forward_with_attention(torch.randn(2, 6, 10), lengths=torch.tensor([4, 6]))
    assert attention.shape == (2, 4, 6)
    torch.testing.assert_close(attention.sum(dim=-1), torch.ones(2, 4))
    assert bool((attention[0, :, 4:] == 0).all())


def test_ltae_positions_change_the_encoding() -> None:
    torch.manual_seed(0)
    model = LTAE(in_channels=10, n_head=4, d_k=4, n_neurons=(32, 16), d_model=32, T=365).eval()
    sequences = torch.randn(2, 5, 10)
    days = torch.tensor([[10, 40, 70, 100, 130], [5, 6, 7, 8, 9]])
    dated = LTAE(
        in_channels=10, n_head=4, d_k=4, n_neurons=(32, 16), d_model=32, T=365, positions=[10, 40, 70, 100, 130]
    )
    dated.load_state_dict(model.state_dict())
    dated.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(sequences, positions=days)[:1], dated(sequences[:1]))
        assert not torch.allclose(model(sequences, positions=days), model(sequences))


@pytest.mark.parametrize("agg_mode", ["att_group", "att_mean", "mean"])
def test_utae_collapses_skips_with_each_aggregation(agg_mode: str) -> None:
    model = UTAE(4, num_classes=5, encoder_widths=(8, 16), decoder_widths=(8, 16), n_head=4, d_model=16,
                 agg_mode=agg_mode)  # fmt: skip
    days = torch.tensor([[1, 20, 50], [3, 4, 5]])
    with torch.no_grad():
        assert model.eval()(series(3, 0, batch=2), positions=days).shape == (2, 5, 8, 8)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ConvLSTM(4, hidden_dim=[4, 4], num_layers=3), "one value per layer"),
        (lambda: Conv3dLSTM(4, conv3d_kernel_size=(2, 3, 3)), "must be odd"),
        (lambda: Conv3dLSTM(4, output_mode="map"), "output_mode"),
        (lambda: LTAE(in_channels=4, n_neurons=(128, 64)), "n_neurons"),
        (lambda: LTAE(in_channels=4, n_head=3, d_model=32, n_neurons=(32,)), "multiple of n_head"),
        (lambda: UTAE(4, encoder_widths=(8, 16), decoder_widths=(8,)), "one width per level"),
    ],
)
def test_bad_arguments_get_clear_errors(build: Callable[[], nn.Module], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


@pytest.mark.parametrize(
    ("model", "call", "message"),
    [
        (ConvLSTM(4), lambda m: m(torch.randn(2, 4, 8, 8)), r"\(B, T, C, H, W\)"),
        (ConvLSTM(4), lambda m: m(torch.randn(2, 3, 4, 8, 8), lengths=torch.tensor([0, 3])), "at least 1"),
        (ConvLSTM(4), lambda m: m(torch.randn(2, 3, 4, 8, 8), lengths=torch.tensor([3])), r"\(B,\)"),
        (LTAE(in_channels=4, n_head=2, d_model=8, n_neurons=(8,)), lambda m: m(torch.randn(1, 30, 4)), "len_max_seq"),
        (LTAE(in_channels=4, n_head=2, d_model=8, n_neurons=(8,)), lambda m: m(torch.randn(1, 3, 5)), "in_channels=4"),
        (
            UTAE(4, encoder_widths=(8, 8, 16), decoder_widths=(8, 8, 16), n_head=4, d_model=16),
            lambda m: m(torch.randn(1, 2, 4, 18, 18)),
            "multiples of 4",
        ),
    ],
)
def test_bad_inputs_get_clear_errors(model: nn.Module, call: Callable[[nn.Module], Tensor], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call(model)


@pytest.mark.parametrize(
    ("name", "task", "keywords"),
    [
        ("ConvLSTM", "spatiotemporal_segmentation", {"input_dim": 4, "num_classes": 3}),
        ("Conv3dLSTM", "spatiotemporal_segmentation", {"input_dim": 4, "num_outputs": 3}),
        ("UTAE", "spatiotemporal_segmentation", {"input_dim": 4, "num_classes": 3}),
        ("LTAE", "temporal_regression", {"in_channels": 4, "num_classes": 3}),
    ],
)
def test_models_are_registered_with_the_task_arguments_they_take(name: str, task: str, keywords: dict) -> None:
    assert name in list_models(task=task)
    arguments = get_entry("model", name).metadata["arguments"]
    assert {arguments["in_channels"], arguments["num_classes"]} == set(keywords)
    assert isinstance(get_model(name, **keywords), nn.Module)


@pytest.mark.parametrize("model", [
    ConvLSTM(4),
    LTAE(in_channels=4, n_head=2, d_model=8, n_neurons=(8,)),
    UTAE(4, encoder_widths=(8, 8), decoder_widths=(8, 8), n_head=4, d_model=16),
])
@pytest.mark.parametrize(("lengths", "error", "message"), [
    # A list failed in torch ("'list' object has no attribute 'shape'" or "... 'repeat_interleave'"); floats were
    # cut (2.7 steps read as 2) without a word.
    ([3, 2], TypeError, r"lengths must be an integer tensor .* got \[3, 2\]"),
    (torch.tensor([2.7, 1.0]), TypeError, r"lengths must be an integer tensor .* got a torch.float32 tensor"),
    # UTAE's and LTAE's message showed the lengths repeated for every pixel (B x H x W counts).
    (torch.tensor([0, 2]), ValueError, r"lengths must be at least 1 .*; got \[0, 2\]$"),
])
def test_lengths_that_are_not_step_counts_are_refused_as_given(
    model: nn.Module, lengths: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        model(torch.randn(2, 3, 4, 8, 8), lengths=lengths)
