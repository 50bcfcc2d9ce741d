import { Title } from '@patternfly/react-core';
import type { ReleaseDiff } from '../lib/api-types.ts';
import { DataTable } from './DataTable.tsx';

type Pkgs = ReleaseDiff['packages'];

/** Package changes against the previous release: security fixes first, then upgraded, added and removed. */
export function PackageChanges({ diff }: { diff: ReleaseDiff }) {
  const p: Pkgs = diff.packages;
  const none = !p.added.length && !p.removed.length && !p.changed.length;
  return (
    <div data-testid="package-changes">
      <p>
        Against {diff.from.version}: <strong data-testid="count-upgraded">{p.changed.length}</strong> upgraded,{' '}
        <strong data-testid="count-added">{p.added.length}</strong> added, <strong data-testid="count-removed">{p.removed.length}</strong> removed
        {diff.securityFixes.length > 0 && <>, <strong data-testid="count-security">{diff.securityFixes.length}</strong> of them to a Debian security or stable update</>}.
      </p>
      {none && <p>No package changed{diff.from.recipeDigest === diff.to.recipeDigest ? ' and the recipe is the same' : '; the recipe did'}.</p>}
      {diff.securityFixes.length > 0 && (
        <section className="herd-section" aria-labelledby="sec-fixes">
          <Title headingLevel="h3" size="md" id="sec-fixes">Security fixes</Title>
          <p className="herd-muted">Upgrades to a Debian stable-update revision (+debNuM), which is how Debian security advisories ship; the Debian security tracker says which advisory a version belongs to.</p>
          <DataTable testId="security-fixes" rows={diff.securityFixes} rowKey={(f) => `${f.name}:${f.arch}`} columns={[
            { title: 'Package', cell: (f) => f.name }, { title: 'From', cell: (f) => <code>{f.from}</code> },
            { title: 'To', cell: (f) => <code>{f.to}</code> }, { title: 'Security update', cell: (f) => f.update },
          ]} />
        </section>
      )}
      {p.changed.length > 0 && (
        <section className="herd-section" aria-labelledby="pk-upgraded">
          <Title headingLevel="h3" size="md" id="pk-upgraded">Upgraded</Title>
          <DataTable testId="packages-upgraded" rows={p.changed} rowKey={(c) => `${c.name}:${c.arch}`} columns={[
            { title: 'Package', cell: (c) => c.name }, { title: 'Architecture', cell: (c) => c.arch },
            { title: 'Old → new', cell: (c) => <><code>{c.from}</code> → <code>{c.to}</code></> },
          ]} />
        </section>
      )}
      <PackageTable id="pk-added" title="Added" testId="packages-added" rows={p.added} />
      <PackageTable id="pk-removed" title="Removed" testId="packages-removed" rows={p.removed} />
    </div>
  );
}

export function PackageTable({ id, title, testId, rows }: { id: string; title: string; testId: string; rows: Pkgs['added'] }) {
  if (rows.length === 0) return null;
  return (
    <section className="herd-section" aria-labelledby={id}>
      <Title headingLevel="h3" size="md" id={id}>{title}</Title>
      <DataTable testId={testId} rows={rows} rowKey={(r) => `${r.name}:${r.arch}`} columns={[
        { title: 'Package', cell: (r) => r.name }, { title: 'Version', cell: (r) => <code>{r.version}</code> }, { title: 'Architecture', cell: (r) => r.arch },
      ]} />
    </section>
  );
}
