import os
from typing import Any, Optional, Sequence, Union

import numpy.typing as npt
import pandas as pd

from ._kvant import Readings as Readings

_Path = Union[str, os.PathLike[str]]
WIDE_COLUMNS: tuple[str, ...]

def read_csv(path: _Path, meters: Optional[_Path] = ..., assume_offset_minutes: Optional[int] = ...) -> Readings: ...
def from_arrays(meter: npt.ArrayLike, time: npt.ArrayLike, value: npt.ArrayLike,
                channel: Union[str, npt.ArrayLike] = ..., meter_names: Optional[Sequence[str]] = ...,
                channel_names: Optional[Sequence[str]] = ..., meters: Optional[_Path] = ...,
                wide: bool = ...) -> Readings: ...
def from_frame(df: pd.DataFrame, meters: Optional[_Path] = ..., scaled: bool = ...) -> Readings: ...
def to_frame(readings: Readings, exact: bool = ...) -> pd.DataFrame: ...
