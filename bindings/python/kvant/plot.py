"""kvant.plot: monthly consumption per tariff zone as grouped columns, as the consumer cabinet's Figure 6 of
the АСКУЭ manual shows ("Расход ресурсов за <month>": one group of columns a month, a column a zone)."""

__all__ = ["monthly_by_zone"]

ZONE_COLOURS = {"night": "#2b5797", "peak": "#e15759", "semi-peak": "#f28e2b", "day": "#59a14f",
                "total": "#7f7f7f"}


def monthly_by_zone(split, path=None, meters=None, title=None, size=(800, 480), dpi=100,
                    zones=("peak", "semi-peak", "night")):
    """Draws a :func:`kvant.split` result (by month) as grouped columns: months along x, a column a zone,
    summed over ``meters`` (an abonent's meters; all when None). Writes a PNG of ``size`` pixels to ``path``
    when given (matplotlib's Agg backend, no display needed) and returns the matplotlib Figure."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import numpy as np

    df = split if meters is None else split[split["meter"].isin(list(meters))]
    df = df[df["zone"].isin(zones)]
    table = df.pivot_table(index="period", columns="zone", values="value", aggfunc="sum", fill_value=0.0)
    table = table.reindex(columns=[z for z in zones if z in table.columns])
    fig = plt.figure(figsize=(size[0] / dpi, size[1] / dpi), dpi=dpi)
    ax = fig.add_subplot(1, 1, 1)
    x = np.arange(len(table.index))
    width = 0.8 / max(1, len(table.columns))
    for k, zone in enumerate(table.columns):
        ax.bar(x + (k - (len(table.columns) - 1) / 2) * width, table[zone].astype(float).to_numpy(), width,
               label=zone, color=ZONE_COLOURS.get(zone))
    ax.set_xticks(x)
    ax.set_xticklabels(list(table.index), rotation=45, ha="right")
    ax.set_ylabel("kWh")
    ax.set_title(title or "Consumption per tariff zone by month")
    ax.legend()
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=dpi, format="png")
    return fig
