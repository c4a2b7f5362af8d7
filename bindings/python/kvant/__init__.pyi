from .errors import ConfigError as ConfigError
from .errors import DecodeError as DecodeError
from .errors import Error as Error
from .errors import OverflowError as OverflowError
from .errors import ParseError as ParseError
from .errors import StorageError as StorageError
from .errors import ValidationError as ValidationError
from .decode import Decoder as Decoder
from .decode import decode as decode
from .decode import decode_frames as decode_frames
from .readings import Readings as Readings
from .readings import from_arrays as from_arrays
from .readings import from_frame as from_frame
from .readings import read_csv as read_csv
from .readings import to_frame as to_frame
from .reports import anomalies as anomalies
from .reports import consumption as consumption
from .reports import cost as cost
from .reports import estimate as estimate
from .reports import split as split
from .reports import verification as verification
from .store import Store as Store

__version__: str
