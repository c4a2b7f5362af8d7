import os
from typing import Any, Mapping, Optional, Union

import pandas as pd

from ._kvant import Readings
from .store import Store

_Path = Union[str, os.PathLike[str]]
_Source = Union[Store, Readings, _Path, pd.DataFrame]
_Time = Union[int, str, Any]

def consumption(source: _Source, by: str = ..., billing_day: Optional[int] = ..., complete_only: bool = ...,
                group: str = ..., threads: int = ..., exact: bool = ..., periods: str = ..., tz: Optional[str] = ...,
                meters: Optional[_Path] = ..., **kw: Any) -> pd.DataFrame: ...
def split(source: _Source, schedule: str = ..., by: str = ..., billing_day: Optional[int] = ...,
          complete_only: bool = ..., registers: str = ..., group: str = ..., threads: int = ..., exact: bool = ...,
          periods: str = ..., tz: Optional[str] = ..., meters: Optional[_Path] = ..., **kw: Any) -> pd.DataFrame: ...
def cost(source: _Source, by: str = ..., schedule: Optional[_Path] = ..., rates: Optional[_Path] = ...,
         billing_day: Optional[int] = ..., complete_only: bool = ..., group: str = ..., threads: int = ...,
         exact: bool = ..., periods: str = ..., tz: Optional[str] = ..., meters: Optional[_Path] = ...,
         **kw: Any) -> pd.DataFrame: ...
def verification(store: Store, at: _Time, rule: str = ..., due_within: int = ..., exact: bool = ...) -> pd.DataFrame: ...
def anomalies(store: Store, status: Optional[str] = ..., type: Optional[str] = ..., meter: Optional[str] = ...,
              organization: Optional[str] = ..., from_: Optional[_Time] = ..., to: Optional[_Time] = ...,
              offset: int = ..., limit: Optional[int] = ...) -> pd.DataFrame: ...
def estimate(source: _Source, at: _Time, by: Optional[str] = ..., billing_day: Optional[int] = ...,
             normative: Any = ..., normatives: Optional[Mapping[tuple[str, str], Any]] = ..., interval: bool = ...,
             step_minutes: int = ..., threads: int = ..., exact: bool = ..., periods: str = ..., tz: Optional[str] = ...,
             meters: Optional[_Path] = ..., **kw: Any) -> pd.DataFrame: ...
