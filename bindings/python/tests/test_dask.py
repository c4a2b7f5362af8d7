"""kvant.dask on a LocalCluster of two worker processes equals the single-process result."""

import pandas as pd
import pytest

import kvant

distributed = pytest.importorskip("distributed")
import kvant.dask as kd  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster) as c:
        yield c


def test_split_and_consumption_over_partitions(client, demo_dir):
    meters = demo_dir / "meters.csv"
    df = pd.read_csv(demo_dir / "readings.csv", dtype={"meter": str})
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True)
    df = df[["meter", "timestamp", "total", "t1", "t2"]]
    ddf = kd.partition_by_meter(df, 3)
    assert ddf.npartitions == 3
    single = kvant.split(kvant.from_frame(df, meters=meters), by="month")
    dist = kd.split(ddf, meters=meters, by="month").compute().reset_index(drop=True)
    assert len(single) > 100
    pd.testing.assert_frame_equal(dist, single)
    single_c = kvant.consumption(kvant.from_frame(df, meters=meters), by="day", exact=True)
    dist_c = kd.consumption(ddf, meters=meters, by="day", exact=True).compute().reset_index(drop=True)
    pd.testing.assert_frame_equal(dist_c, single_c)
    # the work ran on the workers
    assert len(client.scheduler_info()["workers"]) == 2


def test_a_meter_split_across_partitions_is_refused_not_summed_twice(client, demo_dir):
    import dask.dataframe as dd

    df = pd.read_csv(demo_dir / "readings.csv", dtype={"meter": str})
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True)
    df = df[["meter", "timestamp", "total", "t1", "t2"]]
    m = df["meter"].iloc[0]
    rows = df.index[df["meter"] == m]
    cut = rows[len(rows) // 2]  # mid-meter: both halves hold the meter's readings of several months
    ddf = dd.from_pandas(df, npartitions=1).repartition(divisions=[df.index[0], cut, df.index[-1]])
    assert ddf.npartitions == 2
    with pytest.raises(kvant.ConfigError, match=f"meter '{m}'.*partition_by_meter"):
        kd.consumption(ddf, meters=demo_dir / "meters.csv", by="month").compute()
