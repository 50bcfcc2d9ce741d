import { Label, Title } from '@patternfly/react-core';
import type { ReleaseChangelog } from '../lib/api-types.ts';
import { DataTable } from './DataTable.tsx';
import { PackageTable } from './PackageChanges.tsx';
import './download.css';

type Upgrade = ReleaseChangelog['upgraded'][number];

/** Debian's security tracker names each CVE at this address; a link, never fetched by the portal. */
const trackerUrl = (cve: string) => `https://security-tracker.debian.org/tracker/${encodeURIComponent(cve)}`;

function Cves({ ids }: { ids: string[] }) {
  if (ids.length === 0) return <span className="herd-muted">none named</span>;
  return <>{ids.map((id, i) => <span key={id}>{i > 0 && ', '}<a href={trackerUrl(id)} rel="noreferrer noopener" target="_blank">{id}</a></span>)}</>;
}

/**
 * The changelog a release was published with (against the release before it): security updates first, with the
 * CVE ids their Debian changelog entries name, then every upgrade with its entries, then added, removed and
 * downgraded packages. Entries are shown as text (React escapes them): they come from packages, not from us.
 */
export function ReleaseChangelogView({ changelog }: { changelog: ReleaseChangelog }) {
  const s = changelog.summary;
  const security = changelog.upgraded.filter((u) => u.security);
  const none = !s.added && !s.removed && !s.upgraded && !s.downgraded;
  return (
    <div data-testid="release-changelog">
      <p>
        Against {s.against?.version}: <strong data-testid="count-upgraded">{s.upgraded}</strong> upgraded,{' '}
        <strong data-testid="count-added">{s.added}</strong> added, <strong data-testid="count-removed">{s.removed}</strong> removed
        {s.downgraded > 0 && <>, <strong data-testid="count-downgraded">{s.downgraded}</strong> downgraded</>}
        {s.security > 0 && <>; <strong data-testid="count-security">{s.security}</strong> from Debian's security team, fixing <strong data-testid="count-cves">{s.cves.length}</strong> CVE{s.cves.length === 1 ? '' : 's'}</>}.
      </p>
      {none && <p>No package changed.</p>}
      {security.length > 0 && (
        <section className="herd-section" aria-labelledby="sec-fixes">
          <Title headingLevel="h3" size="md" id="sec-fixes">Security updates</Title>
          <p className="herd-muted">Upgrades whose changelog entries were uploaded to a Debian security suite, with the CVE ids those entries name.</p>
          <DataTable testId="security-updates" rows={security} rowKey={(u) => `${u.name}:${u.arch}`} columns={[
            { title: 'Package', cell: (u) => u.name }, { title: 'Old → new', cell: (u) => <><code>{u.from}</code> → <code>{u.to}</code></> },
            { title: 'CVEs', cell: (u) => <Cves ids={u.cves} /> },
          ]} />
        </section>
      )}
      {changelog.upgraded.length > 0 && (
        <section className="herd-section" aria-labelledby="pk-upgraded">
          <Title headingLevel="h3" size="md" id="pk-upgraded">Upgraded, with their changelogs</Title>
          <div data-testid="upgrade-entries">{changelog.upgraded.map((u) => <UpgradeEntries key={`${u.name}:${u.arch}`} u={u} />)}</div>
        </section>
      )}
      <PackageTable id="pk-added" title="Added" testId="packages-added" rows={changelog.added} />
      <PackageTable id="pk-removed" title="Removed" testId="packages-removed" rows={changelog.removed} />
      {changelog.downgraded.length > 0 && (
        <section className="herd-section" aria-labelledby="pk-downgraded">
          <Title headingLevel="h3" size="md" id="pk-downgraded">Downgraded</Title>
          <DataTable testId="packages-downgraded" rows={changelog.downgraded} rowKey={(d) => `${d.name}:${d.arch}`} columns={[
            { title: 'Package', cell: (d) => d.name }, { title: 'Old → new', cell: (d) => <><code>{d.from}</code> → <code>{d.to}</code></> },
          ]} />
        </section>
      )}
    </div>
  );
}

/** One upgrade as a disclosure (works without scripts): the version move in the summary, the entries inside. */
function UpgradeEntries({ u }: { u: Upgrade }) {
  return (
    <details className="herd-upgrade" data-testid={`upgrade-${u.name}`}>
      <summary>
        <strong>{u.name}</strong> <code>{u.from}</code> → <code>{u.to}</code>{' '}
        {u.security && <Label color="red" isCompact>security</Label>}{' '}
        <span className="herd-muted">{u.entries.length} entr{u.entries.length === 1 ? 'y' : 'ies'}{u.cves.length > 0 && <>, {u.cves.join(', ')}</>}</span>
      </summary>
      {u.missing && <p className="herd-muted" data-testid={`upgrade-missing-${u.name}`}>No changelog entries: {u.missing}.</p>}
      {u.entries.map((e) => (
        <div key={e.version}>
          <p><code>{e.version}</code> ({e.distribution}, urgency {e.urgency}){e.date && <> · {e.date}</>}</p>
          <pre className="herd-code">{e.text}</pre>
        </div>
      ))}
    </details>
  );
}
