import type { Kysely } from 'kysely';
import { formatIssue, type RecipeIssue } from '../recipe/issues.ts';
import { formatMiB } from '../recipe/size.ts';
import { listArtifacts } from '../store/artifacts.ts';
import { latestReleaseHeads } from '../store/releases.ts';
import type { Schema } from '../store/schema.ts';
import { budgetsOf, type CatalogueEntry } from './catalogue-entries.ts';

/** The newest published, unrevoked release of a product, with the size of its qcow2 (when it has one). */
export interface LatestRelease {
  id: string;
  version: string;
  channel: string;
  publishedAt: string | null;
  untested: boolean;
  qcow2Bytes?: number;
}

/** One row of `herd catalog` (and of GET /api/catalog, which shows more of the recipe). */
export interface CatalogueRow {
  id: string;
  /** The product releases are published under: the recipe's name. */
  product?: string;
  title?: string;
  useCases: string[];
  distribution?: string;
  stack?: string;
  /** qcow2 size budget in bytes (when the recipe writes a qcow2). */
  budgetQcow2?: number;
  /** OCI archive size budget in bytes (when the recipe writes a container image). */
  budgetOci?: number;
  latest?: LatestRelease;
  problems: RecipeIssue[];
}

export function catalogueRow(e: CatalogueEntry): CatalogueRow {
  const r = e.recipe;
  const c = r?.catalog;
  const { qcow2: budget, oci: budgetOci } = budgetsOf(r);
  return {
    id: e.id,
    ...(r ? { product: r.name, distribution: `${r.distribution.name} ${r.distribution.release}` } : {}),
    ...(c ? { title: c.title } : {}),
    useCases: c?.['use-cases'] ?? [],
    ...(c?.stack ? { stack: `${c.stack.language} ${c.stack.version}` } : {}),
    ...(budget ? { budgetQcow2: budget } : {}),
    ...(budgetOci ? { budgetOci } : {}),
    problems: e.problems,
  };
}

/** The latest release of each product named, from the store (one query for release heads, one for their artifacts). */
export async function latestReleases(db: Kysely<Schema>, products: string[]): Promise<Map<string, LatestRelease>> {
  const newest = new Map<string, LatestRelease>();
  for (const [product, r] of await latestReleaseHeads(db, products)) {
    newest.set(product, { id: r.id, version: r.version, channel: r.channel, publishedAt: r.publishedAt, untested: r.untested });
  }
  const byRelease = new Map([...newest.values()].map((l) => [l.id, l]));
  for (const a of await listArtifacts(db, [...byRelease.keys()])) {
    const l = byRelease.get(a.releaseId)!;
    if (a.format === 'qcow2' && l.qcow2Bytes === undefined) l.qcow2Bytes = a.size;
  }
  return newest;
}

/** The table `herd catalog` prints; a recipe with problems says so in its row (details follow the table). */
export function formatCatalogueTable(rows: CatalogueRow[], withReleases: boolean): string {
  const head = ['id', 'title', 'use cases', 'distribution', 'stack', 'budget', ...(withReleases ? ['last release', 'qcow2'] : [])];
  const body = rows.map((r) => [
    r.id,
    r.problems.length ? `INVALID (${r.problems.length} problem${r.problems.length === 1 ? '' : 's'})` : r.title ?? '',
    r.useCases.join(','),
    r.distribution ?? '',
    r.stack ?? '',
    r.budgetQcow2 ? formatMiB(r.budgetQcow2) : r.budgetOci ? `oci ${formatMiB(r.budgetOci)}` : '',
    ...(withReleases ? [r.latest ? `${r.latest.version} ${r.latest.channel}${r.latest.untested ? ' untested' : ''}` : '-', r.latest?.qcow2Bytes ? formatMiB(r.latest.qcow2Bytes) : ''] : []),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => printable(b[i]!).length)));
  const line = (cells: string[]) => cells.map((c, i) => printable(c).padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), ...body.map(line)].join('\n');
}

/** Every problem of every row, file:line:column first, for stderr. */
export function formatCatalogueProblems(rows: CatalogueRow[]): string {
  return rows.filter((r) => r.problems.length).map((r) => `${r.id}:\n${r.problems.map((p) => `  ${formatIssue(p).replace(/\n/g, '\n  ')}`).join('\n')}`).join('\n');
}

/** Recipe text shown in a terminal: control characters are shown escaped, never sent raw. */
function printable(s: string): string {
  return s.replace(/[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A catalogue image as GET /api/catalog shows it: the recipe's presentation, never a server path. */
export interface CatalogueView {
  id: string;
  product: string;
  title: string;
  summary: string;
  useCases: string[];
  personas: string[];
  platforms: string[];
  stack?: { language: string; version: string; frameworks: string[] };
  notes?: string;
  extends?: string;
  distribution: { name: string; release: string };
  qaSuites: string[];
  sizeBudget: { qcow2?: number; oci?: number };
  latestRelease?: LatestRelease;
}

/** The valid entries as views (with their latest release when known), and the ids of those that are not valid. */
export function catalogueViews(entries: CatalogueEntry[], latest: Map<string, LatestRelease> = new Map()): { images: CatalogueView[]; invalid: string[] } {
  const images: CatalogueView[] = [];
  for (const e of entries) {
    const r = e.recipe;
    const c = r?.catalog;
    if (!r || !c || e.problems.length) continue;
    const l = latest.get(r.name);
    // a container-only recipe boots nothing: the base boot suite and the qcow2 budget it inherits do not apply;
    // its own suites run their container checks (src/qa/container/)
    const boots = r.outputs.some((f) => f !== 'oci');
    images.push({
      id: e.id, product: r.name, title: c.title, summary: c.summary, useCases: c['use-cases'], personas: c.personas, platforms: c.platforms,
      ...(c.stack ? { stack: c.stack } : {}), ...(c.notes ? { notes: c.notes } : {}), ...(e.extends ? { extends: e.extends } : {}),
      distribution: { name: r.distribution.name, release: r.distribution.release },
      qaSuites: boots ? ['base', ...r.qa.suites.filter((s) => s !== 'base')] : r.qa.suites.filter((s) => s !== 'base'),
      sizeBudget: budgetsOf(r),
      ...(l ? { latestRelease: l } : {}),
    });
  }
  return { images, invalid: entries.filter((e) => !images.some((i) => i.id === e.id)).map((e) => e.id) };
}
