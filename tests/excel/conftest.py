import importlib.util
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"


def _load_maker():
    name = "make_bad_workbooks"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, DATA / "make_bad_workbooks.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def maker():
    """tests/data/make_bad_workbooks.py: base() cells and write_cells()."""
    return _load_maker()


@pytest.fixture(scope="session")
def example_xlsx(tmp_path_factory):
    """The example template (demo farms), written once."""
    from farmcalc.excel import write_template

    path = tmp_path_factory.mktemp("example") / "exempel.xlsx"
    write_template(path, example=True)
    return path


@pytest.fixture
def cells_to_xlsx(tmp_path, maker):
    """Write a dict of sheet → rows of cells; returns the path."""
    counter = iter(range(1000))

    def write(cells):
        path = tmp_path / f"wb{next(counter)}.xlsx"
        maker.write_cells(path, cells)
        return path

    return write
