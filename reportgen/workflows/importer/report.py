"""What an import did and did not do, page by page: written beside the builds, shown in the terminal."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


def confidence_word(value: float) -> str:
    return "élevée" if value >= 0.9 else "moyenne" if value >= 0.7 else "faible"


@dataclass
class ImportReport:
    pdf: Path
    edition: str
    outline_from: str = ""                                  # « signets » or « tailles des titres »
    written: list[Path] = field(default_factory=list)
    imported: list[str] = field(default_factory=list)       # one line each, in the order of the report
    tables: list[str] = field(default_factory=list)
    left_out: list[tuple[int, str]] = field(default_factory=list)   # (page, what and what to do)
    chapters: list[str] = field(default_factory=list)
    file: Path | None = None

    def lines(self) -> list[str]:
        out = [f"Plan lu depuis les {self.outline_from}."] if self.outline_from else []
        out += self.imported
        if self.tables:
            out.append(f"Tableaux : {len(self.tables)}")
            out += [f"  {line}" for line in self.tables]
        if self.chapters:
            out.append(f"Chapitres à réécrire (review: à réécrire) : {len(self.chapters)}")
            out += [f"  {line}" for line in self.chapters]
        if self.left_out:
            out.append(f"Non importé : {len(self.left_out)}")
            out += [f"  page {page} : {what}" for page, what in sorted(self.left_out)]
        return out

    def markdown(self, when: str) -> str:
        head = [f"# Import de {self.pdf.name} dans {self.edition}", "",
                f"Fait le {when}. Chaque fichier écrit est un brouillon à vérifier sur le PDF : les tableaux "
                "avec leur confiance, les chiffres clés, les listes et le glossaire sont des candidats ; les "
                "chapitres portent « review: à réécrire » (`reportgen status` les liste) ; les chiffres tapés "
                "dans le texte sont à lier aux données (`reportgen check` propose chaque `fig()`).", ""]
        body = []
        if self.outline_from:
            body.append(f"- Plan lu depuis les {self.outline_from}.")
        body += [f"- {line}" for line in self.imported]
        if self.tables:
            body += ["", "## Tableaux", ""] + [f"- {line}" for line in self.tables]
        if self.chapters:
            body += ["", "## Chapitres à réécrire", ""] + [f"- {line}" for line in self.chapters]
        body += ["", "## Non importé", ""]
        body += [f"- page {page} : {what}" for page, what in sorted(self.left_out)] or ["- rien"]
        return "\n".join(head + body) + "\n"
