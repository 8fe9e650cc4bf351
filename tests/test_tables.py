"""Tables: cells as printed, row kinds, merges, headers, computed evolutions, cell errors."""
from pathlib import Path

import pytest

from reportgen.errors import DataError
from reportgen.french import NNBSP
from reportgen.edition.tables import load_table


def write(folder: Path, name: str, csv: str, spec: str | None = None) -> Path:
    path = folder / f"{name}.csv"
    path.write_text(csv, encoding="utf-8")
    if spec is not None:
        (folder / f"{name}.yml").write_text(spec, encoding="utf-8")
    return path


def test_cells_are_parsed_and_typeset(tmp_path):
    table = load_table(write(tmp_path, "t", "_kind;Libellé;2017;2016\nsection;Population;;\n"
                                            "dont;Dont secteur 1;751;-2,09\ntotal;Total;784;Pas d'évolution\n"))
    assert [r.kind for r in table.rows] == ["section", "dont", "total"]
    assert table.cell("dont-secteur-1", "2017").display == "751"
    assert table.cell("dont-secteur-1", "2016").figure.value < 0
    assert table.cell("total", "2016").display == "Pas d’évolution"
    assert table.rows[1].line == 3


def test_duplicate_labels_get_numbered_keys(tmp_path):
    table = load_table(write(tmp_path, "t", "L;v\ndont secteur 1;1\ndont secteur 1;2\n"))
    assert table.cell("dont-secteur-1-2", "v").display == "2"


def test_non_numeric_cell_names_file_line_and_column(tmp_path):
    path = write(tmp_path, "t", "L;2017\nA;12\nB;12a\n")
    with pytest.raises(DataError) as err:
        load_table(path)
    assert err.value.line == 3 and err.value.column == "2017"
    assert "« 12a » n'est pas un nombre" in str(err.value)


def test_text_columns_accept_words(tmp_path):
    table = load_table(write(tmp_path, "t", "L;Commentaires\nA;en hausse\n", "columns:\n  Commentaires: {type: text}\n"))
    assert table.cell("a", "Commentaires").display == "en hausse"


def test_merges_and_multilevel_header(tmp_path):
    spec = ("header:\n  - [{text: '', rowspan: 2}, {text: '2017', colspan: 2}]\n  - ['Nombre', '%']\n"
            "source: 'Source : test'\n")
    table = load_table(write(tmp_path, "t", "L;n;p\nA;1;<<\nB;^^;5%\n", spec))
    a, b = table.rows
    assert a.cells[1].colspan == 2 and a.cells[2].merged
    assert a.cells[1].rowspan == 2 and b.cells[1].merged
    assert [[c.text for c in row] for row in table.header] == [["", "2017"], ["Nombre", "%"]]
    assert table.source == "Source : test"


def test_header_that_does_not_cover_the_columns_is_an_error(tmp_path):
    path = write(tmp_path, "t", "L;a;b\nA;1;2\n", "header:\n  - ['', 'x']\n")
    with pytest.raises(DataError, match="couvre 2 colonnes, le tableau en a 3"):
        load_table(path)


def test_computed_evolution_only_where_asked(tmp_path):
    spec = "computed:\n  - {key: evo, label: 'Évolution', from: '2016', to: '2017', decimals: 1}\n"
    table = load_table(write(tmp_path, "t", "L;2017;2016\nA;825;806\nB;-;3\n", spec))
    assert [c.key for c in table.columns] == ["L", "2017", "2016", "evo"]
    assert table.cell("a", "evo").display == f"+2,4{NNBSP}%"
    assert table.cell("b", "evo").display == "-"
    plain = load_table(write(tmp_path, "u", "L;2017;2016\nA;825;806\n"))
    assert len(plain.columns) == 3


def test_unknown_row_kind_and_spec_key(tmp_path):
    with pytest.raises(DataError, match="type de ligne « soustotal » inconnu"):
        load_table(write(tmp_path, "t", "_kind;L;v\nsoustotal;A;1\n"))
    with pytest.raises(DataError, match="clé inconnue « titre »"):
        load_table(write(tmp_path, "u", "L;v\nA;1\n", "titre: x\n"))


def test_too_many_cells_in_a_csv_row(tmp_path):
    with pytest.raises(DataError) as err:
        load_table(write(tmp_path, "t", "L;v\nA;1;2\n"))
    assert err.value.line == 2 and "3 cellules pour 2 colonnes" in str(err.value)


def test_relative_year_columns_print_the_edition_s_years(tmp_path):
    path = write(tmp_path, "t", "Libellé;N-1;N\nEffectif;806;825\n")
    assert [c.label for c in load_table(path, 2024).columns] == ["Libellé", "2023", "2024"]
    assert [c.key for c in load_table(path, 2024).columns] == ["Libellé", "N-1", "N"]   # fig("t.effectif.N")
    assert [c.label for c in load_table(path).columns] == ["Libellé", "N-1", "N"]


def test_new_edition_shifts_relative_year_columns(tmp_path):
    from reportgen.workflows.yearly import _column_roles

    roles = _column_roles(["_key", "Libellé", "N-2", "N-1", "N", "Évolution"], 2023, 1)
    assert roles == [("_key", "_key"), ("Libellé", "Libellé"), ("N-2", "N-1"), ("N-1", "N"), ("N", None),
                     ("Évolution", None)]
