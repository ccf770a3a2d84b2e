"""Datamodules check the shares they hold out and the bands they normalise when they are built, naming them."""

from __future__ import annotations

import math

import pytest

from geotorch.datamodules import EuroSATDataModule, OSCDDataModule, PatternNetDataModule


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (20, ValueError, r"val_split_pct=20 must be a share from 0 to below 1 \(a percentage\? give 0.2\)"),
        (1.0, ValueError, r"val_split_pct=1.0 must be a share from 0 to below 1"),
        (-0.1, ValueError, r"val_split_pct=-0.1 must be a share from 0 to below 1"),
        (math.nan, ValueError, r"val_split_pct=nan must be a share"),
        ("0.2", TypeError, r"val_split_pct='0.2' must be a number from 0 to below 1"),
        (True, TypeError, r"val_split_pct=True must be a number"),
    ],
)
def test_a_val_split_pct_that_is_not_a_share_is_refused_when_built(value: object, error: type[Exception],
                                                                   message: str) -> None:
    with pytest.raises(error, match=rf"OSCDDataModule: {message}"):
        OSCDDataModule(val_split_pct=value)  # type: ignore[arg-type]


def test_held_out_shares_leaving_nothing_to_train_on_are_refused_when_built() -> None:
    with pytest.raises(ValueError, match=r"PatternNetDataModule: val_split_pct \+ test_split_pct must be below 1, "
                                         r"got 0.5 \+ 0.5: nothing would be left to train on"):
        PatternNetDataModule(val_split_pct=0.5, test_split_pct=0.5)


def test_shares_from_0_to_below_1_are_kept() -> None:
    assert OSCDDataModule(val_split_pct=0).val_split_pct == 0
    datamodule = PatternNetDataModule(val_split_pct=0.1, test_split_pct=0.3)
    assert (datamodule.val_split_pct, datamodule.test_split_pct) == (0.1, 0.3)


@pytest.mark.parametrize(
    ("bands", "error", "message"),
    [
        (["B4", "B3", "B2"], ValueError, r"bands \['B4', 'B3', 'B2'\] are not EuroSAT bands; choose from \['B01'"),
        ("rgb", TypeError, r"bands='rgb' must be a list of band names, such as \['B04', 'B03', 'B02'\]"),
    ],
)
def test_eurosat_bands_it_has_no_statistics_for_are_refused_naming_them(bands: object, error: type[Exception],
                                                                        message: str) -> None:
    with pytest.raises(error, match=rf"EuroSATDataModule: {message}"):
        EuroSATDataModule(bands=bands)  # type: ignore[arg-type]
    datamodule = EuroSATDataModule(bands=["B8A", "B04"])
    assert (datamodule.mean, datamodule.std, datamodule.num_channels) == ((2594.1, 947.6), (1231.6, 593.8), 2)
