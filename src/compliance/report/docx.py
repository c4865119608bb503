"""DOCX documents (python-docx): the 督查报告 and 检查提纲 from blocks; the notice is in :mod:`.notice`.

One template is built once per process: A4 pages with 公文 margins, page numbers "第X页 共Y页" in the footer,
and every font set in a style (仿宋_GB2312 body, 黑体 headings and table headers, 方正小标宋简体 titles,
宋体 table text), so that no run carries its own font. Tables are written as XML in one pass.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from compliance.report.wordml import (
    LANDSCAPE_WIDTH_MM,
    MARGINS_MM,
    PAGE_MM,
    USABLE_WIDTH_MM,
    ns,
    paragraph_xml,
    table_xml,
)
from compliance.inputs.text import for_xml
from compliance.report.text import Block, Bullets, Heading, Image, Landscape, Para, Table
from compliance.report.wording import prose

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
TABLE_FONT = "宋体"
KAI_FONT = "楷体_GB2312"
LATIN_FONT = "Times New Roman"
MAX_IMAGE_HEIGHT_MM = 200
STYLES = {"table": "TableText", "table_head": "TableHeading", "item": "ItemHeading", "signature": "Signature"}


def set_font(target: Any, east_asia: str, size: float | None = None, bold: bool | None = None,
             latin: str = LATIN_FONT) -> None:
    """Set the Latin and East Asian font of a style (python-docx only sets ``w:ascii``/``w:hAnsi``)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    font = target.font
    font.name = latin
    font.color.rgb = RGBColor(0, 0, 0)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    rfonts = target.element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asia)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)


def no_autospace(style: Any) -> None:
    """No extra space between Chinese and digits (Word and LibreOffice add it by default): 每年至少1次."""
    from docx.oxml import parse_xml

    ppr = style.element.get_or_add_pPr()
    for name in ("autoSpaceDE", "autoSpaceDN"):
        element = parse_xml(f'<w:{name} {ns()} w:val="0"/>')
        later = next((c for c in ppr if c.tag.rsplit("}", 1)[-1] in PPR_AFTER_AUTOSPACE), None)
        if later is None:
            ppr.append(element)
        else:
            later.addprevious(element)


PPR_AFTER_AUTOSPACE = {"bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
                       "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl",
                       "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"}


def _add_style(doc: Any, name: str, font: str, size: float, bold: bool = False) -> Any:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    set_font(style, font, size, bold)
    style.paragraph_format.first_line_indent = Pt(0)
    return style


def _page_numbers(section: Any) -> None:
    """第X页 共Y页, centred in the footer, from the PAGE and NUMPAGES fields."""
    from docx.oxml import parse_xml

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = 1
    paragraph.paragraph_format.first_line_indent = 0

    def field(name: str) -> str:
        return f'<w:fldSimple {ns()} w:instr=" {name} "><w:r><w:t>1</w:t></w:r></w:fldSimple>'

    def run(text: str) -> str:
        return f'<w:r {ns()}><w:rPr><w:sz w:val="24"/></w:rPr><w:t>{text}</w:t></w:r>'

    for xml in (run("第"), field("PAGE"), run("页 共"), field("NUMPAGES"), run("页")):
        paragraph._p.append(parse_xml(xml))


@functools.lru_cache(maxsize=1)
def template_bytes() -> bytes:
    """The styled, empty A4 template, built once per process."""
    from docx import Document
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    for side, mm in MARGINS_MM.items():
        setattr(section, f"{side}_margin", Mm(mm))
    section.footer_distance = Mm(20)
    styles = doc.styles
    set_font(styles["Normal"], BODY_FONT, 16)
    styles["Normal"].paragraph_format.line_spacing = Pt(28)
    styles["Normal"].paragraph_format.space_after = Pt(0)
    styles["Normal"].paragraph_format.first_line_indent = Pt(32)
    no_autospace(styles["Normal"])
    for name, size in (("Title", 22), ("Heading 1", 16), ("Heading 2", 16), ("Heading 3", 16)):
        style = styles[name]
        set_font(style, TITLE_FONT if name == "Title" else HEADING_FONT, size, bold=False)
        style.paragraph_format.space_before = Pt(6)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.first_line_indent = Pt(0 if name == "Title" else 32)
        style.paragraph_format.keep_with_next = True
    styles["Title"].paragraph_format.alignment = 1
    styles["Title"].paragraph_format.space_after = Pt(18)
    for border in styles["Title"].element.xpath("./w:pPr/w:pBdr"):
        border.getparent().remove(border)
    _add_style(doc, "Table Text", TABLE_FONT, 10.5).paragraph_format.line_spacing = 1.0
    _add_style(doc, "Table Heading", HEADING_FONT, 10.5).paragraph_format.line_spacing = 1.0
    styles["Table Heading"].paragraph_format.alignment = 1
    item = _add_style(doc, "Item Heading", KAI_FONT, 16, bold=True)
    item.paragraph_format.first_line_indent = Pt(32)
    item.paragraph_format.keep_with_next = True
    _add_style(doc, "Signature", BODY_FONT, 16).paragraph_format.alignment = 2
    _add_style(doc, "Caption Text", HEADING_FONT, 10.5).paragraph_format.alignment = 1
    _page_numbers(section)
    for rel in list(doc.part.rels.values()):  # legacy and sample parts a document does not need (~450 KB)
        if rel.reltype.rsplit("/", 1)[-1] in ("stylesWithEffects", "customXml"):
            doc.part.drop_rel(rel.rId)
    package_rels = doc.part.package.rels
    for rid in [r.rId for r in package_rels.values() if r.reltype.endswith("/thumbnail")]:
        package_rels.pop(rid)
    doc.core_properties.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def new_document(as_of: dt.date, title: str, author: str) -> Any:
    """A document from the cached template, with fixed core properties (no wall-clock timestamps)."""
    from docx import Document

    doc = Document(io.BytesIO(template_bytes()))
    stamp = dt.datetime.combine(as_of, dt.time(0, 0))
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = prose(title), prose(author), prose(author)
    props.created, props.modified, props.last_printed = stamp, stamp, stamp
    props.revision = 1
    props.comments = ""
    return doc


class Writer:
    """Builds a document body as XML. Without pictures the DOCX is assembled from the template's members
    (compressed once per process) and the new ``document.xml``; with pictures it goes through python-docx."""

    def __init__(self, as_of: dt.date, title: str, author: str, pictures: bool = False) -> None:
        self.as_of, self.title, self.author = as_of, title, author
        self.doc = new_document(as_of, title, author) if pictures else None
        self.parts: list[str] = []
        self.usable = USABLE_WIDTH_MM
        self.final_section = template_parts().section

    def para(self, text: str, style: str | None = None, **options: Any) -> None:
        self.parts.append(paragraph_xml(text, style, **options))

    def heading(self, text: str, level: int = 1) -> None:
        self.para(text, f"Heading {level}")

    def table(self, headers: list[str], rows: list[list[Any]]) -> None:
        self.parts.append(table_xml(headers, rows, self.usable))
        self.parts.append(paragraph_xml("", "Table Text"))  # keeps two tables apart; Word needs it

    def landscape(self) -> None:
        """From here on, landscape pages (the section so far ends with a portrait section break)."""
        if self.doc is not None:
            self.flush()
            landscape_section(self.doc)
        else:
            self.parts.append(f"<w:p><w:pPr>{self.final_section}</w:pPr></w:p>")
            self.final_section = template_parts().landscape
        self.usable = LANDSCAPE_WIDTH_MM

    def picture(self, data: bytes, caption: str) -> None:
        from docx.shared import Mm

        if self.doc is None:
            raise ValueError("Writer(pictures=True) is needed for pictures")
        self.flush()
        width, height = png_size(data)
        width_mm = min(150.0, self.usable)
        if width_mm * height / max(width, 1) > MAX_IMAGE_HEIGHT_MM:
            self.doc.add_picture(io.BytesIO(data), height=Mm(MAX_IMAGE_HEIGHT_MM))
        else:
            self.doc.add_picture(io.BytesIO(data), width=Mm(width_mm))
        picture = self.doc.paragraphs[-1]
        picture.alignment = 1
        picture.paragraph_format.first_line_indent = 0
        picture.paragraph_format.line_spacing = 1.0
        self.para(caption, "Caption Text")

    def flush(self) -> None:
        """Move the buffered XML into the python-docx document (picture mode)."""
        from docx.oxml import parse_xml

        if not self.parts or self.doc is None:
            return
        fragment = parse_xml(f"<w:body {ns()}>{''.join(self.parts)}</w:body>")
        self.parts.clear()
        end = self.doc.element.body[-1]  # the final sectPr stays last
        for child in list(fragment):
            end.addprevious(child)

    def save(self) -> bytes:
        if self.doc is not None:
            self.flush()
            return save(self.doc)
        t = template_parts()
        document = f"{t.head}<w:body>{''.join(self.parts)}{self.final_section}</w:body></w:document>"
        return assemble(t, {"word/document.xml": document.encode("utf-8"),
                            "docProps/core.xml": core_xml(self.as_of, self.title, self.author)}, self.as_of)


@dataclass(frozen=True)
class TemplateParts:
    members: list[tuple[zipfile.ZipInfo, bytes]]
    """Every member of the template with its compressed bytes (``compress_size``/``CRC`` set)."""
    head: str
    """``document.xml`` up to ``<w:body>``."""
    section: str
    """The portrait ``w:sectPr`` (page size, margins, footer)."""
    landscape: str


@functools.lru_cache(maxsize=1)
def template_parts() -> TemplateParts:
    """The template split for assembling documents, its members compressed once."""
    members = []
    document = ""
    with zipfile.ZipFile(io.BytesIO(template_bytes())) as source:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                document = data.decode("utf-8")
            compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
            packed = compressor.compress(data) + compressor.flush()
            member = zipfile.ZipInfo(info.filename)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            member.file_size, member.compress_size, member.CRC = len(data), len(packed), zlib.crc32(data)
            members.append((member, packed))
    head = document[: document.index("<w:body>")]
    section = document[document.index("<w:sectPr"): document.rindex("</w:body>")]
    landscape = re.sub(r"<w:pgSz [^>]*/>", '<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>', section)
    landscape = re.sub(r'w:top="\d+"|w:bottom="\d+"|w:left="\d+"|w:right="\d+"',
                       lambda m: m[0].split("=")[0] + '="1417"', landscape)
    return TemplateParts(members, head, section, landscape)


def core_xml(as_of: dt.date, title: str, author: str) -> bytes:
    """``docProps/core.xml`` with the check date as every timestamp."""
    stamp = f"{as_of.isoformat()}T00:00:00Z"
    title, author = escape(for_xml(prose(title))), escape(for_xml(prose(author)))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{title}</dc:title><dc:creator>{author}</dc:creator><cp:lastModifiedBy>{author}</cp:lastModifiedBy>"
            f"<cp:revision>1</cp:revision><cp:lastPrinted>{stamp}</cp:lastPrinted>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            "</cp:coreProperties>").encode("utf-8")


def assemble(t: TemplateParts, replaced: dict[str, bytes], when: dt.date) -> bytes:
    """A DOCX of the template's members, ``replaced`` ones swapped in, every member dated ``when``."""
    stamp = (when.year, when.month, when.day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for cached, packed in t.members:
            if cached.filename in replaced:
                member = zipfile.ZipInfo(cached.filename, date_time=stamp)
                member.compress_type, member.external_attr = zipfile.ZIP_DEFLATED, 0o600 << 16
                archive.writestr(member, replaced[cached.filename])
            else:
                write_packed(archive, cached, packed, stamp)
    return buffer.getvalue()


def write_packed(archive: zipfile.ZipFile, cached: zipfile.ZipInfo, packed: bytes, stamp: tuple[int, ...]) -> None:
    """Add an already compressed member (CRC and sizes known), instead of compressing it again."""
    member = zipfile.ZipInfo(cached.filename, date_time=stamp)
    member.compress_type, member.external_attr = cached.compress_type, cached.external_attr
    member.file_size, member.compress_size, member.CRC = cached.file_size, cached.compress_size, cached.CRC
    member.header_offset = archive.fp.tell()
    archive.fp.write(member.FileHeader())
    archive.fp.write(packed)
    archive.start_dir = archive.fp.tell()
    archive.filelist.append(member)
    archive.NameToInfo[member.filename] = member


def landscape_section(doc: Any) -> None:
    """Start a new page in landscape (for wide tables); the footer carries on."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Mm

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(PAGE_MM[1]), Mm(PAGE_MM[0])
    section.top_margin, section.bottom_margin = Mm(25), Mm(25)
    section.left_margin = section.right_margin = Mm(25)


def add_blocks(out: Writer, blocks: list[Block]) -> None:
    for b in blocks:
        if isinstance(b, Heading):
            out.para(b.text, "Title") if b.level == 0 else out.heading(b.text, b.level)
        elif isinstance(b, Para):
            out.para(b.text, "Item Heading" if b.bold else None)
        elif isinstance(b, Bullets):
            for item in b.items:
                out.para(item)
        elif isinstance(b, Table):
            out.table(b.headers, b.rows)
        elif isinstance(b, Landscape):
            out.landscape()
        elif isinstance(b, Image):
            out.picture(b.data, b.caption)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels from a PNG header."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def blocks_docx(blocks: list[Block], as_of: dt.date, author: str) -> bytes:
    """The 督查报告 or a 检查提纲 as DOCX bytes."""
    title = next((b.text for b in blocks if isinstance(b, Heading)), "")
    out = Writer(as_of, title, author, pictures=any(isinstance(b, Image) for b in blocks))
    add_blocks(out, blocks)
    return out.save()


class _FixedZip:
    """python-docx's package writer target: members dated ``when``, compressed once (no rewrite afterwards)."""

    def __init__(self, archive: zipfile.ZipFile, when: dt.date) -> None:
        self.archive, self.stamp = archive, (when.year, when.month, when.day, 0, 0, 0)

    def write(self, uri: Any, blob: bytes) -> None:
        member = zipfile.ZipInfo(uri.membername, date_time=self.stamp)
        member.compress_type = zipfile.ZIP_DEFLATED
        member.external_attr = 0o600 << 16
        self.archive.writestr(member, blob)


def save(doc: Any) -> bytes:
    """The document's bytes; equal content gives equal bytes (every member dated on the check date)."""
    from docx.opc.pkgwriter import PackageWriter

    package = doc.part.package
    for part in package.parts:
        part.before_marshal()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        target = _FixedZip(archive, doc.core_properties.created.date())
        PackageWriter._write_content_types_stream(target, package.parts)
        PackageWriter._write_pkg_rels(target, package.rels)
        PackageWriter._write_parts(target, package.parts)
    return buffer.getvalue()
