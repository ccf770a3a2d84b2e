"""A grid sampler for streaming prediction: each rank gets whole chunks of output rows, windows top row first."""

from __future__ import annotations

from collections.abc import Iterator

from geotorch.core import BoundingBox, GeoDataset
from geotorch.samplers import GeoSampler, as_count_pair
from geotorch.trainers.predict_grid import Chunk, assign, chunks_of
from geotorch.trainers.predict_layout import EntryOutput, entry_outputs


class StreamingGridSampler(GeoSampler):
    """The windows of a prediction grid over every index entry of a dataset, split across ranks by chunks of rows.

    Every index entry gets its own output grid (see
    :func:`~geotorch.trainers.predict_layout.entry_outputs`) with windows of ``size`` every
    ``stride`` pixels, the last row and column moved back to end at the grid's edge. Each
    output's rows are cut into up to ``world_size`` bands, and wide outputs' bands into column
    tiles (see :func:`~geotorch.trainers.predict_grid.chunks_of`); chunk ``k`` of all the
    outputs' chunks, in order, goes to rank ``k % world_size``. A rank yields the windows of its chunks,
    top row first, left to right, including the windows above and beside a chunk that reach into it,
    so that it can blend and write the chunk's rows alone, exactly as one process would
    (see :class:`~geotorch.trainers.GeoTIFFPredictionWriter`). Windows at chunk borders are
    thus run by two ranks. A rank left without chunks (more ranks than chunks: a small input)
    yields one window of another rank's chunk, its :attr:`spare`, whose prediction the writer
    drops: Lightning stops a DDP run in which a rank has no batch.

    Args:
        dataset: the dataset to predict on.
        size: window ``(height, width)`` in whole pixels, or one number for both.
        stride: step between windows in whole pixels, or one number for both.
        rank: this process's rank (default: from torch.distributed, else 0).
        world_size: how many ranks share the work (default: from torch.distributed, else 1).

    Raises:
        TypeError: if ``size`` or ``stride`` is not a number or a pair of numbers (a bool, a string).
        ValueError: if ``size`` or ``stride`` is not positive or not whole, or ``stride`` is larger than ``size``
            (pixels between windows would not be predicted).
    """

    def __init__(
        self,
        dataset: GeoDataset,
        size: int | tuple[int, int],
        stride: int | tuple[int, int],
        *,
        rank: int | None = None,
        world_size: int | None = None,
    ) -> None:
        super().__init__(dataset, rank=rank, world_size=world_size)
        self.size = as_count_pair(size, "size", "StreamingGridSampler")
        self.stride = as_count_pair(stride, "stride", "StreamingGridSampler")
        if self.stride[0] > self.size[0] or self.stride[1] > self.size[1]:
            # The writer blends what windows cover: the pixels between windows would be nodata, with no warning.
            raise ValueError(
                f"StreamingGridSampler: stride={stride!r} is larger than size={size!r}: the pixels between windows "
                "would get no prediction (nodata in the outputs); give a stride of at most the size"
            )
        self.outputs: list[EntryOutput] = entry_outputs(dataset, self.size, self.stride)
        self._assigned: tuple[tuple[int, int], list[Chunk], list[Chunk], Chunk | None] | None = None

    def _assignment(self) -> tuple[list[Chunk], list[Chunk], Chunk | None]:
        """All chunks, this rank's and its spare, for the rank as it is now (torch.distributed's when not given).

        Resolved when used, as the rank of every geo sampler: one built before DDP's process group splits its
        work once the group exists.
        """
        shard = (self.rank, self.world_size)
        if self._assigned is None or self._assigned[0] != shard:
            chunks = [
                chunk
                for number, output in enumerate(self.outputs)
                for chunk in chunks_of(
                    number,
                    output.layout.tops,
                    output.layout.lefts,
                    self.size,
                    (output.layout.grid.height, output.layout.grid.width),
                    shard[1],
                )
            ]
            mine = assign(chunks, *shard)
            spare = chunks[shard[0] % len(chunks)] if chunks and not mine else None
            self._assigned = (shard, chunks, mine, spare)
        return self._assigned[1], self._assigned[2], self._assigned[3]

    @property
    def chunks(self) -> list[Chunk]:
        """Every output's chunks, in order: chunk ``k`` is rank ``k % world_size``'s."""
        return self._assignment()[0]

    @property
    def mine(self) -> list[Chunk]:
        """This rank's chunks."""
        return self._assignment()[1]

    @property
    def spare(self) -> Chunk | None:
        """The chunk of another rank whose first window this rank runs, having none of its own (else None)."""
        return self._assignment()[2]

    def windows(self) -> Iterator[tuple[Chunk, int, int]]:
        """``(chunk, top, left)`` of this rank's windows, in the order they are yielded (the spare's alone, if any)."""
        for chunk in self.mine:
            for top, left in self.outputs[chunk.output].layout.windows(chunk):
                yield chunk, top, left
        if self.spare is not None:
            top, left = next(iter(self.outputs[self.spare.output].layout.windows(self.spare)))
            yield self.spare, top, left

    def __iter__(self) -> Iterator[BoundingBox]:
        """Yield this rank's windows, chunk by chunk, top row first."""
        for chunk, top, left in self.windows():
            yield self.outputs[chunk.output].query(top, left)

    def __len__(self) -> int:
        """Windows this rank yields."""
        return (self.spare is not None) + sum(
            (chunk.window_columns[1] - chunk.window_columns[0]) * (chunk.window_rows[1] - chunk.window_rows[0])
            for chunk in self.mine
        )

