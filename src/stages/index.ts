import { rootfsStage } from './rootfs.ts';
import { configureStage } from './configure.ts';
import { footprintStage } from './footprint.ts';
import { sealStage } from './seal.ts';
import { platformStage } from './platform.ts';
import { diskStage } from './disk.ts';
import { convertStage } from './convert.ts';
import { containerStage } from './container.ts';
import { ociStage } from './oci.ts';

/** The stage registry: the keys are the only valid stage names in a plan. */
export const stages = {
  rootfs: rootfsStage,
  configure: configureStage,
  footprint: footprintStage,
  seal: sealStage,
  platform: platformStage,
  disk: diskStage,
  convert: convertStage,
  container: containerStage,
  oci: ociStage,
};
