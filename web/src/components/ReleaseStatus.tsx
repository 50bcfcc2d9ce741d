import { Alert, Label } from '@patternfly/react-core';
import { formatDate } from '../lib/format.ts';

interface Status { version: string; channel: string; revokedAt: string | null; revokeReason: string | null; untested: boolean }

/** The labels a release carries in every list: channel, and revoked or untested when so. */
export function ReleaseLabels({ r }: { r: Status }) {
  return (
    <>
      <Label isCompact color={r.channel === 'stable' ? 'green' : 'orange'}>{r.channel}</Label>{' '}
      {r.revokedAt && <Label isCompact color="red" data-testid="revoked-label">revoked</Label>}{' '}
      {r.untested && <Label isCompact color="yellow" data-testid="untested-label">untested</Label>}
    </>
  );
}

/** A revoked or untested release says so before anything else about it. */
export function ReleaseWarnings({ r }: { r: Status }) {
  return (
    <>
      {r.revokedAt && (
        <Alert variant="danger" isInline title={`Release ${r.version} was revoked on ${formatDate(r.revokedAt)}`} data-testid="revoked-alert">
          <p data-testid="revoke-reason">{r.revokeReason ?? 'No reason was given.'}</p>
          <p>Do not launch new machines from it; feeds list it as revoked and <code>herd verify</code> refuses it.</p>
        </Alert>
      )}
      {r.untested && (
        <Alert variant="warning" isInline title={`Release ${r.version} is untested`} data-testid="untested-alert">
          It was published without QA (no boot test, no static audit) and can never reach the stable channel.
        </Alert>
      )}
    </>
  );
}
