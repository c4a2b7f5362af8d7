"""C++ errors as kvant.Error and its subclasses, with the stable code, the area and where."""

import numpy as np
import pytest

import kvant


def test_bad_csv_names_file_and_line(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("meter,timestamp,channel,value\n"
                 "A,2024-01-01T00:00:00Z,active_import,1\n"
                 "A,2024-01-01T00:30:00Z,active_import,12x\n")
    with pytest.raises(kvant.ParseError) as e:
        kvant.read_csv(f)
    err = e.value
    assert isinstance(err, kvant.Error) and err.area == "parse" and err.code == 101  # errc::invalid_number
    assert err.file == str(f) and err.line == 3
    assert str(err).startswith("[kvant.parse.101] ") and f"{f}:3" in str(err) and "12x" in str(err)


def test_unknown_meter(tmp_path):
    with kvant.Store(tmp_path / "u.db") as s:
        r = kvant.from_arrays(np.array([0]), np.array([1_704_067_200]), np.array([5], dtype=np.int64),
                              meter_names=["NOPE"])
        with pytest.raises(kvant.ValidationError) as e:
            s.put_readings(r)
    assert e.value.code == 201 and e.value.area == "validation" and "NOPE" in str(e.value)


def test_closed_store(tmp_path):
    s = kvant.Store(tmp_path / "c.db")
    s.close()
    assert s.closed
    for call in (lambda: s.readings(), lambda: kvant.consumption(s), lambda: s.put("meter", {"serial": "1"})):
        with pytest.raises(kvant.StorageError) as e:
            call()
        assert e.value.code == 300 and "closed" in str(e.value) and str(tmp_path / "c.db") in str(e.value)
    s.close()  # a second close does nothing


def test_config_and_json_errors(tmp_path):
    with kvant.Store(":memory:") as s:
        with pytest.raises(kvant.ConfigError) as e:
            s.put("gadget", {})
        assert e.value.code == 401
        with pytest.raises(kvant.ParseError) as e:
            s.put("meter", "{not json")
        assert e.value.code == 120
    with pytest.raises(kvant.ConfigError):
        kvant.split(kvant.from_arrays(np.array([0]), np.array([0]), np.array([0], dtype=np.int64),
                                      meter_names=["A"]), schedule=str(tmp_path / "missing.json"))
    with pytest.raises(kvant.ParseError) as e:  # an unknown period kind names the choices
        kvant.consumption(kvant.from_arrays(np.array([0]), np.array([0]), np.array([0], dtype=np.int64),
                                            meter_names=["A"]), by="fortnight")
    assert "fortnight" in str(e.value)


def test_overflow_is_an_arithmetic_error():
    assert issubclass(kvant.OverflowError, ArithmeticError) and issubclass(kvant.OverflowError,
                                                                          kvant.ValidationError)
    # a consumption beyond the exact range: two values 9.2e12 apart (from_arrays now refuses such values as
    # implausible, 203, as every store write does; before, the report found the overflow, 204)
    with pytest.raises(kvant.Error) as e:
        r = kvant.from_arrays(np.array([0, 0]), np.array([0, 1800]),
                              np.array([-(2 ** 63) + 1, 2 ** 63 - 1], dtype=np.int64), meter_names=["A"])
        kvant.consumption(r, by="day")
    assert e.value.code in (203, 204)
    if e.value.code == 204:
        assert isinstance(e.value, kvant.OverflowError)
