import os
from typing import Any, Iterable, Optional, Union

import pandas as pd

ZONE_COLOURS: dict[str, str]

def monthly_by_zone(split: pd.DataFrame, path: Optional[Union[str, os.PathLike[str]]] = ...,
                    meters: Optional[Iterable[str]] = ..., title: Optional[str] = ..., size: tuple[int, int] = ...,
                    dpi: int = ..., zones: tuple[str, ...] = ...) -> Any: ...
