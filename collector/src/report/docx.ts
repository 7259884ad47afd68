/**
 * The appendix as a Word document (.docx, the `docx` package), since the ministry edits and
 * signs Word documents: A4 landscape, Times New Roman 13 pt, the filing header, the summary
 * table with the change since the compared evaluation, the footnotes as real Word footnotes
 * (numbered by Word, worded as in filed.ts), and one table per indicator with the units by
 * their short names. Failing-member lists and charts stay in the HTML/PDF report: the filed
 * appendix carries the figures and the footnotes, as the directive's own appendix does.
 */
import { AlignmentType, Document, FootnoteReferenceRun, Packer, PageOrientation, Paragraph, Table, TableCell, TableRow, TextRun, WidthType, type ParagraphChild } from 'docx';
import { directiveLine, dueText, filingLine, footnotes } from './filed.js';
import { T, actual, change, percent, status, when } from './i18n.js';
import type { AppendixReport, IndicatorSection, Lang, ScopeRow } from './model.js';

const FONT = 'Times New Roman';
const SIZE = 26; // half-points: 13 pt
const SMALL = 22;

const run = (text: string, o: { bold?: boolean; italics?: boolean; size?: number } = {}) => new TextRun({ text, font: FONT, size: o.size ?? SIZE, ...(o.bold ? { bold: true } : {}), ...(o.italics ? { italics: true } : {}) });

const para = (children: ParagraphChild[], align: (typeof AlignmentType)[keyof typeof AlignmentType] = AlignmentType.LEFT, after = 80) => new Paragraph({ children, alignment: align, spacing: { after } });

const cell = (children: ParagraphChild[], o: { right?: boolean; header?: boolean } = {}) =>
  new TableCell({
    children: [new Paragraph({ children, alignment: o.right ? AlignmentType.RIGHT : o.header ? AlignmentType.CENTER : AlignmentType.LEFT })],
    margins: { left: 80, right: 80, top: 40, bottom: 40 },
    ...(o.header ? { shading: { fill: 'EEEEEE' } } : {}),
  });

const text = (s: string, o: { right?: boolean; bold?: boolean; header?: boolean } = {}) => cell([run(s, { bold: o.bold || o.header, size: SMALL })], o);

/** Column widths in twips (1/20 pt) on A4 landscape with 2 cm margins: 14,570 twips in all. */
const SUMMARY_COLUMNS = { plain: [600, 4400, 4300, 1600, 2000, 1600], compared: [600, 4000, 3300, 1500, 1900, 1600, 1600] };
const UNIT_COLUMNS = { plain: [5600, 3000, 2400, 3000], compared: [4200, 2400, 1900, 2100, 1600, 2300] };

/** Footnote marks after a figure, separated as Word shows several: ¹,²,³. */
const refsRun = (ns: readonly number[]): ParagraphChild[] => ns.flatMap((n, i) => (i ? [new TextRun({ text: ',', superScript: true, size: SMALL }), new FootnoteReferenceRun(n)] : [new FootnoteReferenceRun(n)]));

function summaryTable(r: AppendixReport, lang: Lang, refs: Map<string, number[]>): Table {
  const t = T[lang];
  const cmp = r.compare !== null;
  const head = [t.tt, t.indicator, t.basis, t.target, t.actual, ...(cmp ? [t.change] : []), t.result];
  const rows = r.indicators.map((ind) => {
    const due = dueText(ind, lang);
    const actualCell = cell([run(actual(ind.ministry, lang), { size: SMALL }), ...refsRun(refs.get(ind.id) ?? [])], { right: true });
    return new TableRow({
      cantSplit: true,
      children: [
        text(ind.tt ? String(ind.tt) : '—', { right: true }),
        text(ind.title[lang]),
        text(ind.basis),
        text(`${percent(ind.target, lang)}${due ? ` (${due})` : ''}`, { right: true }),
        actualCell,
        ...(cmp ? [text(change(ind.ministry.changePoints, lang), { right: true })] : []),
        text(status(ind.ministry, lang) + (ind.ministry.overdue ? ` (${t.overdue})` : ''), { bold: ind.ministry.met === false }),
      ],
    });
  });
  const columnWidths = cmp ? SUMMARY_COLUMNS.compared : SUMMARY_COLUMNS.plain;
  return new Table({ width: { size: 14570, type: WidthType.DXA }, columnWidths, rows: [new TableRow({ tableHeader: true, children: head.map((h) => text(h, { header: true })) }), ...rows] });
}

function unitTable(ind: IndicatorSection, r: AppendixReport, lang: Lang): Table {
  const t = T[lang];
  const cmp = r.compare !== null;
  const head = [t.unit, t.actual, ...(cmp ? [t.previous, t.change] : []), t.target, t.result];
  const row = (u: ScopeRow) =>
    new TableRow({
      cantSplit: true,
      children: [
        text(u.scope === 'ministry' ? t.ministry : u.shortName, { bold: u.scope === 'ministry' }),
        text(actual(u, lang), { right: true, bold: u.scope === 'ministry' }),
        ...(cmp ? [text(percent(u.previous?.ratio ?? null, lang), { right: true }), text(change(u.changePoints, lang), { right: true })] : []),
        text(percent(ind.target, lang), { right: true }),
        text(status(u, lang) + (u.overdue ? ` (${t.overdue})` : ''), { bold: u.met === false }),
      ],
    });
  const columnWidths = cmp ? UNIT_COLUMNS.compared : UNIT_COLUMNS.plain;
  return new Table({ width: { size: 14570, type: WidthType.DXA }, columnWidths, rows: [new TableRow({ tableHeader: true, children: head.map((h) => text(h, { header: true })) }), ...[ind.ministry, ...ind.units].map(row)] });
}

/** The .docx bytes of the appendix. */
export async function toDocx(r: AppendixReport, lang: Lang = 'vi'): Promise<Buffer> {
  const t = T[lang];
  const notes = footnotes(r, lang);
  const refs = new Map<string, number[]>();
  for (const n of notes) refs.set(n.indicator, [...(refs.get(n.indicator) ?? []), n.n]);
  const filing = filingLine(r, lang);
  const directive = directiveLine(r, lang);
  const body: (Paragraph | Table)[] = [];
  if (r.filing?.issuer) body.push(para([run(r.filing.issuer.toUpperCase(), { bold: true })]));
  body.push(para([run(t.appendix, { bold: true, size: 28 })], AlignmentType.CENTER, 40));
  body.push(para([run(t.subtitle.toUpperCase(), { bold: true, size: 28 })], AlignmentType.CENTER, 40));
  if (filing) body.push(para([run(`(${filing})`, { italics: true })], AlignmentType.CENTER));
  if (directive) body.push(para([run(directive, { italics: true })], AlignmentType.CENTER, 40));
  body.push(para([run(`${t.at}: ${when(r.evaluatedAt, lang)}${r.requestedAt ? ` (${t.requested} ${when(r.requestedAt, lang)})` : ''}`, { italics: true })], AlignmentType.CENTER, 40));
  body.push(para([run(r.compare ? `${t.compared} ${when(r.compare.evaluatedAt, lang)}` : t.noCompare, { italics: true })], AlignmentType.CENTER, 200));
  if (r.source === 'history') body.push(para([run(t.fromHistory, { italics: true, size: SMALL })], AlignmentType.CENTER));
  body.push(summaryTable(r, lang, refs));
  body.push(new Paragraph({ children: [run(t.perUnit, { bold: true })], spacing: { before: 360, after: 80 }, keepNext: true }));
  for (const ind of r.indicators) {
    body.push(new Paragraph({ children: [run(`${ind.tt ? `${ind.tt}. ` : ''}${ind.title[lang]}`, { bold: true })], spacing: { before: 240, after: 80 }, keepNext: true }));
    body.push(unitTable(ind, r, lang));
  }
  const doc = new Document({
    creator: 'Posture',
    title: t.title,
    styles: { default: { document: { run: { font: FONT, size: SIZE } } } },
    footnotes: Object.fromEntries(notes.map((n) => [String(n.n), { children: [new Paragraph({ children: [run(n.text, { size: SMALL })] })] }])),
    sections: [
      {
        properties: { page: { size: { orientation: PageOrientation.LANDSCAPE, width: 11906, height: 16838 }, margin: { top: 1134, bottom: 1134, left: 1134, right: 1134 } } },
        children: body,
      },
    ],
  });
  return Packer.toBuffer(doc);
}
