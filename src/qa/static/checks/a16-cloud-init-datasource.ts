import type { StaticCheck } from '../context.ts';
import { found } from '../context.ts';
import { mergedCloudConfig, readCloudConfig } from './cloud-config.ts';
import { needsNoCloud } from '../../image/manifest.ts';

export const cloudInitDatasource: StaticCheck = {
  id: 'A16',
  title: 'cloud-init installed with a datasource list (NoCloud unless the image is for one other cloud)',
  async run(ctx) {
    if (!ctx.index.has('/usr/bin/cloud-init')) return [found('/usr/bin/cloud-init', 'cloud-init is not installed')];
    const list = mergedCloudConfig(await readCloudConfig(ctx)).datasource_list;
    if (!list) return []; // cloud-init's built-in default list includes NoCloud
    const names = Array.isArray(list.value) ? list.value.map(String) : [];
    const platform = ctx.manifest?.platform;
    if (!needsNoCloud(platform)) {
      return names.some((n) => n !== 'None') ? [] : [found(list.path, `datasource_list ${JSON.stringify(names)} names no datasource for ${platform}`)];
    }
    return names.includes('NoCloud') ? [] : [found(list.path, `datasource_list ${JSON.stringify(names)} lacks NoCloud`)];
  },
};
