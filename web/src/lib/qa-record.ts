/** The parts of a release's QA record (manifest.json `qa`) the notes show; the API types it as unknown. */
export interface QaSummary { passed: boolean; scope?: string; testedAt?: string; failed: string[]; testedFile?: string }

/** Reads what is there and nothing else: a record of another shape shows as "no QA record", never as a pass. */
export function readQaRecord(qa: unknown): QaSummary | undefined {
  if (!qa || typeof qa !== 'object') return undefined;
  const q = qa as Record<string, unknown>;
  if (typeof q.passed !== 'boolean') return undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const image = q.image && typeof q.image === 'object' ? (q.image as Record<string, unknown>) : {};
  return {
    passed: q.passed,
    scope: str(q.scope),
    testedAt: str(q.testedAt),
    failed: Array.isArray(q.failed) ? q.failed.filter((f): f is string => typeof f === 'string') : [],
    testedFile: str(image.file),
  };
}
