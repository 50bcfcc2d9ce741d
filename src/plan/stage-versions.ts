/**
 * Bumped whenever a stage's behaviour changes for the same options: part of every step id, so a
 * changed stage never reuses results its old code cached.
 */
export const stageVersions: Record<string, number> = {
  rootfs: 3,
  configure: 1,
  footprint: 2,
  seal: 2,
  platform: 1,
  disk: 3,
  convert: 2,
  container: 1,
  oci: 1,
};
