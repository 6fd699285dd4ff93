"""Check a built HTML documentation tree: every internal link, anchor and asset resolves, and no page
loads anything from the network (scripts, styles, images, fonts from a CDN).

    python docs/check_html.py docs/_build/html

Prints one line per problem and exits 1 if there is any (0 otherwise). Links to other sites
(``<a href="https://...">``) are allowed: they are links, not resources the page needs to render.
"""
from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: tags whose URL the browser fetches to render the page (tag -> attribute)
RESOURCES = {"script": "src", "link": "href", "img": "src", "iframe": "src", "source": "src", "embed": "src"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.resources: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v for k, v in attrs if v is not None}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.ids.add(a["name"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag in RESOURCES and a.get(RESOURCES[tag]):
            self.resources.append(a[RESOURCES[tag]])


def check(root) -> list[str]:
    """Problems found under the HTML folder ``root`` (empty when everything resolves offline)."""
    root = Path(root).resolve()
    if not (root / "index.html").is_file():
        return [f"{root}: no index.html (not a built HTML tree)"]
    pages: dict[Path, _Page] = {}
    for f in sorted(root.rglob("*.html")):
        p = _Page()
        p.feed(f.read_text(encoding="utf-8", errors="replace"))
        pages[f.resolve()] = p
    problems = []
    for f, page in pages.items():
        rel = f.relative_to(root)
        for url in page.resources:
            u = urlsplit(url)
            if u.scheme in ("http", "https") or url.startswith("//"):
                problems.append(f"{rel}: loads {url} from the network")
            elif not u.scheme and u.path and not (f.parent / unquote(u.path)).resolve().exists():
                problems.append(f"{rel}: missing resource {url}")
        for url in page.links:
            u = urlsplit(url)
            if u.scheme or u.netloc:
                continue                                    # mailto:, https:// ...: not checked offline
            target = (f.parent / unquote(u.path)).resolve() if u.path else f
            if target.is_dir():
                target = target / "index.html"
            if target.suffix == ".html":
                if target not in pages:
                    problems.append(f"{rel}: broken link {url} (no such page)")
                elif u.fragment and unquote(u.fragment) not in pages[target].ids:
                    problems.append(f"{rel}: broken anchor {url}")
            elif not target.exists():
                problems.append(f"{rel}: broken link {url} (no such file)")
    return problems


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    problems = check(argv[0])
    for line in problems:
        print(line)
    n_pages = sum(1 for _ in Path(argv[0]).rglob("*.html"))
    print(f"{len(problems)} problem(s) in {n_pages} pages" if problems else f"{n_pages} pages: every link, anchor and "
          "resource resolves offline")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
