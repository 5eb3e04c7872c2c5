"""Which entries of a top list are not articles: the rule of Pageviews Analysis's Topviews ("Show only mainspace
pages", `filterOutNamespace` in MusikAnimal/pageviews `javascripts/topviews/topviews.js`), with the wiki facts
it reads from MediaWiki's siteinfo written here as tables.

An entry is not an article when it is
1. the wiki's main page, with or without its namespace prefix (`Wikipedia:Hauptseite` and `Hauptseite`), or
   `Main_Page` on any wiki (its redirect or its name in English);
2. `-`, Wikimedia's title for "no title found in the URL";
3. a title with a `:` whose text before the first `:` is a namespace name: MediaWiki's canonical (English)
   names, valid on every wiki, the local names of the biggest wikis below, and `Wikipedia`, `Special` and
   `Sp?cial` (what Topviews also drops, the last a mis-decoded `Spécial`). Titles without a `:` are always
   articles (a page called `Search` is not `Special:Search`); prefixes are compared without case, with spaces
   and underscores alike, as MediaWiki reads them.

The tables are a snapshot (namespace names from MediaWiki's `languages/messages/Messages*.php` and Wikimedia's
project names; main pages from each wiki's `MediaWiki:Mainpage`): a wiki not listed is judged by the canonical
names, `Main_Page` and `-` only. Siteinfo (`meta=siteinfo&siprop=general|namespaces|namespacealiases`) is the
exact source: the use cases ask MediaWiki for it (cached like every page fact) and fall back to the tables only
when it cannot be asked."""

from __future__ import annotations

import enum

from pageviews.domain.errors import InvalidExclude
from pageviews.domain.pages import SiteInfo

CANONICAL_NAMESPACES = frozenset(
    {
        "",  # a title written `:Foo` (the main namespace's empty name)
        "media",
        "special",
        "talk",
        "user",
        "user talk",
        "project",
        "project talk",
        "file",
        "file talk",
        "image",
        "image talk",
        "mediawiki",
        "mediawiki talk",
        "template",
        "template talk",
        "help",
        "help talk",
        "category",
        "category talk",
        "portal",
        "portal talk",
        "draft",
        "draft talk",
        "module",
        "module talk",
        "timedtext",
        "timedtext talk",
        "gadget",
        "gadget talk",
        "gadget definition",
        "gadget definition talk",
        "book",
        "book talk",
        "topic",
        "education program",
        "event",
        "wikipedia",
        "wikipedia talk",
        "wp",
        "wt",
        "sp?cial",
    }
)

LOCAL_NAMESPACES: dict[str, frozenset[str]] = {
    "de": frozenset(
        {
            "spezial",
            "benutzer",
            "benutzerin",
            "diskussion",
            "benutzer diskussion",
            "benutzerin diskussion",
            "wikipedia diskussion",
            "datei",
            "datei diskussion",
            "bild",
            "vorlage",
            "vorlage diskussion",
            "hilfe",
            "hilfe diskussion",
            "kategorie",
            "kategorie diskussion",
            "portal diskussion",
        }
    ),
    "fr": frozenset(
        {
            "spécial",
            "utilisateur",
            "utilisatrice",
            "discussion",
            "discussion utilisateur",
            "discussion utilisatrice",
            "wikipédia",
            "discussion wikipédia",
            "fichier",
            "discussion fichier",
            "modèle",
            "discussion modèle",
            "aide",
            "discussion aide",
            "catégorie",
            "discussion catégorie",
            "portail",
            "discussion portail",
            "projet",
            "discussion projet",
            "référence",
        }
    ),
    "es": frozenset(
        {
            "especial",
            "usuario",
            "usuaria",
            "discusión",
            "usuario discusión",
            "usuaria discusión",
            "wikipedia discusión",
            "archivo",
            "archivo discusión",
            "plantilla",
            "plantilla discusión",
            "ayuda",
            "ayuda discusión",
            "categoría",
            "categoría discusión",
            "portal discusión",
            "wikiproyecto",
            "anexo",
            "anexo discusión",
        }
    ),
    "it": frozenset(
        {
            "speciale",
            "utente",
            "discussione",
            "discussioni utente",
            "discussioni wikipedia",
            "discussioni file",
            "discussioni template",
            "aiuto",
            "discussioni aiuto",
            "categoria",
            "discussioni categoria",
            "portale",
            "discussioni portale",
            "progetto",
            "discussioni progetto",
        }
    ),
    "pt": frozenset(
        {
            "especial",
            "usuário",
            "usuária",
            "utilizador",
            "discussão",
            "usuário discussão",
            "utilizador discussão",
            "wikipédia",
            "wikipédia discussão",
            "ficheiro",
            "arquivo",
            "predefinição",
            "ajuda",
            "categoria",
            "portal discussão",
            "anexo",
        }
    ),
    "ru": frozenset(
        {
            "служебная",
            "участник",
            "участница",
            "обсуждение",
            "обсуждение участника",
            "обсуждение участницы",
            "википедия",
            "обсуждение википедии",
            "файл",
            "обсуждение файла",
            "шаблон",
            "обсуждение шаблона",
            "справка",
            "категория",
            "обсуждение категории",
            "портал",
            "проект",
            "инкубатор",
        }
    ),
    "ja": frozenset(
        {
            "特別",
            "利用者",
            "ノート",
            "利用者\u2010会話",
            "プロジェクト",
            "ファイル",
            "画像",
            "プロジェクト\u2010ノート",  # noqa: RUF001 - Japanese for "project talk"
        }
    ),
    "zh": frozenset(
        {
            "特殊",
            "用户",
            "使用者",
            "讨论",
            "討論",
            "文件",
            "檔案",
            "模板",
            "帮助",
            "幫助",
            "分类",
            "分類",
            "主题",
            "專題",
        }
    ),
    "pl": frozenset(
        {"specjalna", "wikipedysta", "wikipedystka", "dyskusja", "dyskusja wikipedysty", "plik", "szablon"}
        | {"pomoc", "kategoria", "wikiprojekt", "dyskusja wikipedii"}
    ),
    "nl": frozenset(
        {
            "speciaal",
            "gebruiker",
            "overleg",
            "overleg gebruiker",
            "bestand",
            "sjabloon",
            "categorie",
            "portaal",
        }
    ),
    "uk": frozenset({"спеціальна", "користувач", "користувачка", "обговорення", "файл", "шаблон", "довідка"})
    | frozenset({"категорія", "портал", "вікіпедія"}),
    "sv": frozenset({"special", "användare", "diskussion", "fil", "mall", "hjälp", "kategori", "portal"}),
}
"""Local namespace names of the biggest Wikipedias (and their wiktionaries, wikisources...: the same language
has the same names), lower case, spaces for underscores."""

MAIN_PAGES: dict[str, str] = {
    "en.wikipedia": "Main_Page",
    "de.wikipedia": "Wikipedia:Hauptseite",
    "fr.wikipedia": "Wikipédia:Accueil_principal",
    "es.wikipedia": "Wikipedia:Portada",
    "it.wikipedia": "Pagina_principale",
    "pt.wikipedia": "Wikipédia:Página_principal",
    "ru.wikipedia": "Заглавная_страница",
    "ja.wikipedia": "メインページ",
    "zh.wikipedia": "Wikipedia:首页",
    "pl.wikipedia": "Wikipedia:Strona_główna",
    "nl.wikipedia": "Hoofdpagina",
    "uk.wikipedia": "Головна_сторінка",
    "sv.wikipedia": "Portal:Huvudsida",
    "commons.wikimedia": "Main_Page",
    "meta.wikimedia": "Main_Page",
    "www.wikidata": "Wikidata:Main_Page",
    "en.wiktionary": "Wiktionary:Main_Page",
}
"""Main page titles (as in pageview data: underscores) of the biggest wikis."""


class Exclude(enum.StrEnum):
    NON_ARTICLES = "non-articles"

    @classmethod
    def parse(cls, raw: str) -> Exclude:
        try:
            return cls(raw.strip().lower())
        except ValueError:
            raise InvalidExclude(f"exclude takes non-articles; got {raw!r}") from None


def _key(text: str) -> str:
    return text.replace("_", " ").strip().casefold()


def is_article(title: str, project: str, site: SiteInfo | None = None) -> bool:
    """Whether a top list's entry of `project` (`en.wikipedia`...) is an article (see the module docstring):
    by what the wiki says of itself (`site`, its siteinfo) when it is known, else by the tables."""
    if title == "-":
        return False
    main_page = site.main_page if site is not None else MAIN_PAGES.get(project, "Main_Page")
    if title in (main_page, "Main_Page") or title == main_page.partition(":")[2]:
        return False
    prefix, colon, _ = title.partition(":")
    if not colon:
        return True
    prefix = _key(prefix)
    if site is not None:
        local = site.namespaces
    else:
        local = LOCAL_NAMESPACES.get(project.partition(".")[0], frozenset())
    return prefix not in CANONICAL_NAMESPACES and prefix not in local
