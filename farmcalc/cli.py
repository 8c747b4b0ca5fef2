"""Command line: ``farmcalc calc``, ``measures``, ``schema``, ``factors``, ``template``,
``export``.

Other packages add sub-commands through the entry-point group
``farmcalc.commands``: each entry point is a function ``register(subparsers)``
that adds its parsers (the web app adds ``serve``, ``db``, ``demo`` and
``user``). The core imports none of them itself.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib.metadata import entry_points
from pathlib import Path

from farmcalc.api import calculate_batch
from farmcalc.errors import FactorError, ValidationError
from farmcalc.factors import (
    DEFAULT_FACTOR_SET,
    DEFAULT_GWP,
    GWP_SETS,
    available_factor_sets,
    load_factor_set,
)
from farmcalc.i18n import _, format_number, gettext_
from farmcalc.labels import label

EXIT_INPUT = 2

T = {
    "title": _("Climate result for {farm} ({farm_id}), {year}"),
    "method": _("Factor set {set} version {version}, GWP100 {gwp}"),
    "source": _("Source"),
    "category": _("Category"),
    "gas": _("Gas"),
    "t_gas": _("tonnes of gas"),
    "t_co2e": _("t CO2e"),
    "total": _("Total emissions"),
    "soil": _("Soil carbon change"),
    "net": _("Net (emissions + soil carbon)"),
    "per_ha": _("Per hectare of farmland"),
    "per_kg_ecm": _("Per kg energy-corrected milk"),
    "per_t": _("Per tonne of {crop}"),
    "notes": _("Notes"),
    "warnings": _("Warnings"),
    "not_json": _("{file} is not valid JSON: {error}"),
    "not_found": _("{file}: no such file"),
    "invalid": _("{file}: the farm record has {n} error(s):"),
    "unknown_measure": _('--measures: unknown measure "{measure}". Known measures: {known}.'),
    "twice": _('--measures: the measure "{measure}" is named twice.'),
    "catalogue": _("Measures and what they cost"),
    "discount": _("Discount rate (real): {rate} a year, source: {source}"),
    "assumption": _("assumption"),
    "value": _("Value"),
    "range": _("Low–high"),
    "perspective": _("Perspective"),
    "source_col": _("Source"),
    "catalogue_ok": _("{file}: no problems found."),
    "unc_title": _("How sure? {draws} draws of the factors (seed {seed})"),
    "unc_title_activity": _(
        "How sure? {draws} draws of the factors and of the farm's own figures (seed {seed})"
    ),
    "unc_total": _(
        "Total emissions: {p50} t CO2e; 95 percent of the draws between {p2_5} and {p97_5} t CO2e"
    ),
    "unc_net": _("Net (emissions + soil carbon): {p50} t CO2e; between {p2_5} and {p97_5}"),
    "unc_top": _("The range comes mostly from: {factors}"),
    "unc_sum": _("All {farms} farms together: {p50} t CO2e; between {p2_5} and {p97_5}"),
    "unc_draws": _("--uncertainty: the number of draws must be at least 1 (got {n})."),
}


def _t(key: str, locale: str) -> str:
    return gettext_(T[key], locale)


def _load_json(path: str, locale: str):
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SystemExit(_fail(_t("not_found", locale).format(file=path))) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SystemExit(_fail(_t("not_json", locale).format(file=path, error=exc))) from None


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_INPUT


def _table(result: dict, farm_name: str | None, locale: str) -> str:
    n = lambda x, fmt="#,##0.0": format_number(x, locale, fmt)  # noqa: E731
    lines = [
        _t("title", locale).format(
            farm=farm_name or result["farm_id"], farm_id=result["farm_id"], year=result["year"]
        ),
        _t("method", locale).format(
            set=label(result["factor_set"], locale),
            version=result["factor_set_version"],
            gwp=result["gwp"],
        ),
        "",
    ]
    # the labels whole (the same names as everywhere else), the columns as wide as they need
    rows = [
        (
            f"{label(e['source'], locale)}: {label(e['category'], locale)}",
            label(e["gas"], locale),
            n(e["co2e_kg"] / 1000, "#,##0.00"),
        )
        for e in result["emissions"]
        if e["source"] != "soil_carbon"
    ]
    w = max([len(_t("source", locale)), *(len(r[0]) for r in rows)])
    g = max([len(_t("gas", locale)), *(len(r[1]) for r in rows)])
    header = f"{_t('source', locale):<{w}} {_t('gas', locale):<{g}} {_t('t_co2e', locale):>12}"
    lines += [header, "-" * len(header)]
    lines += [f"{name:<{w}} {gas:<{g}} {t:>12}" for name, gas, t in rows]
    tot = result["totals"]
    lines += [
        "-" * len(header),
        f"{_t('total', locale):<{w + g + 1}} {n(tot['co2e_kg'] / 1000):>12}",
        f"{_t('soil', locale):<{w + g + 1}} {n(tot['soil_carbon_co2e_kg'] / 1000):>12}",
        f"{_t('net', locale):<{w + g + 1}} {n(tot['net_co2e_kg'] / 1000):>12}",
        "",
    ]
    for i in result["intensities"]:
        if i["value"] is None:
            continue
        if i["id"] == "per_ha":
            lines.append(f"{_t('per_ha', locale)}: {n(i['value'], '#,##0')} kg CO2e/ha")
        elif i["id"] == "per_kg_ecm":
            lines.append(f"{_t('per_kg_ecm', locale)}: {n(i['value'], '#,##0.00')} kg CO2e")
        elif i["id"] == "per_t_crop":
            what = _t("per_t", locale).format(crop=label(i["crop"], locale).lower())
            lines.append(f"{what}: {n(i['value'], '#,##0')} kg CO2e")
    if result["warnings"]:
        lines += ["", _t("warnings", locale) + ":"] + [f"  - {w}" for w in result["warnings"]]
    lines += ["", _t("notes", locale) + ":"] + [f"  - {x}" for x in result["notes"]]
    return "\n".join(lines)


def _measure_list(text: str | None, locale: str) -> list[str] | None:
    """The ids of ``--measures`` (None when not given); exits 2 on an unknown or repeated id."""
    if not text:
        return None
    from farmcalc.steering.costs import known_measures

    known = known_measures()
    ids = [m.strip() for m in text.split(",") if m.strip()]
    for i, m in enumerate(ids):
        if m not in known:
            msg = _t("unknown_measure", locale).format(measure=m, known=", ".join(known))
            raise SystemExit(_fail(msg))
        if m in ids[:i]:
            raise SystemExit(_fail(_t("twice", locale).format(measure=m)))
    return ids


def _json_num(x) -> float | None:
    x = float(x)
    return None if x != x else x  # NaN (nothing saved, never pays back) is null


def _add_measures(results: list[dict], batch, ids: list[str]) -> None:
    """Each result gains ``measures`` (each alone) and, for more than one, ``package``."""
    from farmcalc.steering.costs import measure_costs, package_costs

    alone = measure_costs(batch.tables, ids, factors=batch.factor_set, gwp=batch.gwp)
    keys = (
        "co2e_kg_saved",
        "investment_sek",
        "investment_support_sek",
        "annual_support_sek",
        "annual_cost_sek",
        "annual_cost_before_support_sek",
        "payback_years",
        "sek_per_t_co2e",
    )
    for i, result in enumerate(results):
        mine = alone[alone["farm_idx"].to_numpy() == i]
        result["measures"] = [
            {"measure": row["measure"], "applies": bool(row["applies"])}
            | {k: _json_num(row[k]) for k in keys}
            for row in mine.to_dict("records")
        ]
    if len(ids) < 2:
        return
    pkg = package_costs(batch.tables, ids, factors=batch.factor_set, gwp=batch.gwp)
    for i, result in enumerate(results):
        mine = pkg[pkg["farm_idx"].to_numpy() == i].to_dict("records")
        first = mine[0]
        result["package"] = {
            "measures": ids,
            "co2e_kg_saved": _json_num(first["package_co2e_kg_saved"]),
            "investment_sek": _json_num(first["package_investment_sek"]),
            "annual_cost_sek": _json_num(first["package_annual_cost_sek"]),
            "sek_per_t_co2e": _json_num(first["package_sek_per_t_co2e"]),
            "steps": [
                {
                    "measure": row["measure"],
                    "applies": bool(row["applies"]),
                    "marginal_co2e_kg_saved": _json_num(row["marginal_co2e_kg_saved"]),
                    "investment_sek": _json_num(row["investment_sek"]),
                    "annual_cost_sek": _json_num(row["annual_cost_sek"]),
                }
                for row in mine
            ],
        }


def cmd_calc(args: argparse.Namespace) -> int:
    from farmcalc.excel.workbook_commands import is_workbook

    args.measure_ids = _measure_list(args.measures, args.locale)
    if is_workbook(args.file):
        return _calc_workbook(args)
    data = _load_json(args.file, args.locale)
    many = isinstance(data, list)
    records = data if many else [data]
    try:
        batch = calculate_batch(records, factors=args.factors, gwp=args.gwp)
    except ValidationError as exc:
        print(
            _t("invalid", args.locale).format(file=args.file, n=len(exc.issues)), file=sys.stderr
        )
        for issue in exc.issues:
            print("  " + issue.message(args.locale, with_farm=many), file=sys.stderr)
        return EXIT_INPUT
    except FactorError as exc:
        return _fail(str(exc))
    results = batch.to_dicts(args.locale)
    if args.measure_ids:
        _add_measures(results, batch, args.measure_ids)
    unc = None
    if args.uncertainty is not None:
        if args.uncertainty < 1:
            return _fail(_t("unc_draws", args.locale).format(n=args.uncertainty))
        from farmcalc.uncertainty import run as uncertainty_run

        unc = uncertainty_run(
            batch.tables,
            draws=args.uncertainty,
            seed=args.seed,
            factors=batch.factor_set,
            gwp=batch.gwp,
            measures=args.measure_ids or None,
            activity=not args.no_activity,
            activity_overrides=[r.get("activity_uncertainty") for r in records],
        )
        if args.measure_ids:  # SEK per tonne with the costs drawn too (same seed)
            from farmcalc.steering.costs import with_cost_draws

            unc = with_cost_draws(unc, batch.tables)
        for i, result in enumerate(results):
            result["uncertainty"] = unc.to_dict(i, locale=args.locale)
    if args.format == "json":
        out = results if many else results[0]
        if many and unc is not None:
            out = {"farms": results, "uncertainty_sum": unc.sum_dict()}
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        names = batch.tables.farms["name"].tolist()
        parts = [_table(r, nm, args.locale) for r, nm in zip(results, names, strict=True)]
        if unc is not None:
            parts = [
                p + "\n" + _unc_table(r["uncertainty"], args.locale)
                for p, r in zip(parts, results, strict=True)
            ]
            if many:
                s = unc.sum_dict()
                parts.append(
                    _unc_line("unc_sum", s["totals"]["co2e_kg"], args.locale, farms=s["farms"])
                )
        print("\n\n".join(parts))
    return 0


def _unc_line(key: str, p: dict, locale: str, **extra) -> str:
    t = {k: format_number(v / 1000.0, locale, "#,##0.0") for k, v in p.items()}
    return _t(key, locale).format(**t, **extra)


def _unc_table(u: dict, locale: str) -> str:
    """The ``uncertainty`` object of one farm in the reader's words."""
    lines = [
        _t("unc_title" if u["activity"]["used"] == "off" else "unc_title_activity", locale).format(
            draws=u["draws"], seed=u["seed"]
        ),
        _unc_line("unc_total", u["totals"]["co2e_kg"], locale),
        _unc_line("unc_net", u["totals"]["net_co2e_kg"], locale),
    ]
    top = [
        f"{s['label'] or s['group']} ({format_number(100 * s['share'], locale, '#,##0')} %)"
        for s in u["sensitivity"][:3]
    ]
    if top:
        lines.append(_t("unc_top", locale).format(factors=", ".join(top)))
    return "\n".join(lines)


def _calc_workbook(args: argparse.Namespace) -> int:
    """``farmcalc calc F.xlsx``: every farm of a workbook, nothing stored."""
    from farmcalc.excel.workbook_commands import load_batch

    batch, status = load_batch(args.file, factors=args.factors, gwp=args.gwp, locale=args.locale)
    if batch is None:
        return status
    results = batch.to_dicts(args.locale)
    if args.measure_ids:
        _add_measures(results, batch, args.measure_ids)
    if args.format == "json":
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        names = batch.tables.farms["name"].tolist()
        print(
            "\n\n".join(_table(r, nm, args.locale) for r, nm in zip(results, names, strict=True))
        )
    return 0


def cmd_measures(args: argparse.Namespace) -> int:
    """``farmcalc measures``: the measures with their costs, sources and assumptions."""
    from farmcalc.steering.costs import catalogue, check_cost_file, discount_rate_row

    if args.check is not None:
        problems = check_cost_file(args.check, locale=args.locale)
        for p in problems:
            print(p, file=sys.stderr)
        if problems:
            return 2
        print(_t("catalogue_ok", args.locale).format(file=args.check.name))
        return 0
    cat = catalogue(args.locale)
    rate = discount_rate_row(args.locale)
    if args.format == "json":
        print(json.dumps({"discount_rate": rate, "measures": cat}, ensure_ascii=False, indent=2))
        return 0
    loc = args.locale

    def n(x: float | None, unit: str = "") -> str:
        if x is None:
            return ""
        if unit == "1":  # a share, shown as a percentage
            return format_number(100 * x, loc, "#,##0.#") + "\u00a0%"
        return format_number(x, loc, "#,##0.###")

    lines = [
        _t("catalogue", loc),
        _t("discount", loc).format(
            rate=format_number(100 * rate["value"], loc, "#,##0.0") + "\u00a0%",
            source=rate["source"],
        ),
    ]
    for m in cat:
        rows = [
            (
                f"{r['label']} {r['per_label']}".strip(),
                f"{n(r['value'], r['unit'])} {r['unit'] if r['unit'] != '1' else ''}".strip(),
                f"{n(r['low'], r['unit'])}–{n(r['high'], r['unit'])}"
                if r["low"] is not None
                else "",
                r["perspective_label"],
                _t("assumption", loc) if r["assumption"] else r["source_id"],
            )
            for r in m["costs"]
        ]
        head = (
            "",
            _t("value", loc),
            _t("range", loc),
            _t("perspective", loc),
            _t("source_col", loc),
        )
        w = [max(len(str(r[k])) for r in [head, *rows]) for k in range(5)]
        lines += ["", f"{m['title']} ({m['id']})"]
        lines += [
            "  " + "  ".join(f"{c:<{w[k]}}" for k, c in enumerate(r)).rstrip()
            for r in [head, *rows]
        ]
    print("\n".join(lines))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from farmcalc.inputs.schema import schema_json

    print(schema_json())
    return 0


def cmd_factors(args: argparse.Namespace) -> int:
    for name in available_factor_sets():
        fs = load_factor_set(name)
        fb = f" (fallback {fs.fallback}: {len(fs.fallback_ids())} values)" if fs.fallback else ""
        print(f"{name}\t{fs.version}\t{len(fs.rows)} factors{fb}\t{fs.title}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="farmcalc", description="Greenhouse-gas and soil-carbon calculator for farms."
    )
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("calc", help="calculate a farm record or a JSON list of records")
    c.add_argument(
        "file", help="JSON file (farmcalc.farm/1 record or list; - for stdin) or .xlsx workbook"
    )
    c.add_argument("--factors", default=DEFAULT_FACTOR_SET, help="factor set (default: sweden)")
    c.add_argument("--gwp", choices=GWP_SETS, default=DEFAULT_GWP)
    c.add_argument("--format", choices=("json", "table"), default="json")
    c.add_argument("--locale", choices=("sv", "en"), default="sv", help="language of messages")
    c.add_argument(
        "--measures",
        metavar="ID[,ID…]",
        help="measures to cost (JSON output gains 'measures'; two or more: 'package', in order)",
    )
    c.add_argument(
        "--uncertainty",
        type=int,
        metavar="N",
        help="add Monte Carlo ranges from N shared draws of the factors ('uncertainty')",
    )
    c.add_argument("--seed", type=int, default=0, help="seed of the draws (default 0)")
    c.add_argument(
        "--no-activity",
        action="store_true",
        help="with --uncertainty: draw the factors only, not the farms' own figures "
        "(activity data, farmcalc/data/activity_uncertainty.csv)",
    )
    c.set_defaults(func=cmd_calc)
    m = sub.add_parser("measures", help="list the measures with their costs and sources")
    m.add_argument("--format", choices=("json", "table"), default="table")
    m.add_argument("--locale", choices=("sv", "en"), default="sv", help="language of the table")
    m.add_argument(
        "--check",
        type=Path,
        metavar="FILE",
        help="check a cost catalogue (CSV as farmcalc/data/measure_costs.csv): problems with "
        "their row and column go to stderr, exit code 2",
    )
    m.set_defaults(func=cmd_measures)
    s = sub.add_parser("schema", help="print the JSON Schema of the farm record")
    s.set_defaults(func=cmd_schema)
    f = sub.add_parser("factors", help="list the factor sets")
    f.set_defaults(func=cmd_factors)
    from farmcalc.excel.workbook_commands import register as register_excel

    register_excel(sub)  # template, export
    load_plugin_commands(sub)
    return p


def load_plugin_commands(subparsers: argparse._SubParsersAction) -> list[str]:
    """Add the sub-commands of the entry-point group ``farmcalc.commands``.

    An entry point that cannot be imported (its extra dependencies missing) is
    skipped, so the core commands always work.
    """
    loaded = []
    for ep in entry_points(group="farmcalc.commands"):
        try:
            register = ep.load()
        except ImportError:
            continue
        register(subparsers)
        loaded.append(ep.name)
    return loaded


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
