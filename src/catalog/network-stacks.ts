/**
 * How an image brings its network up: the packages, the files the configure stage writes, the units it
 * enables, and the renderer cloud-init writes its network configuration for. A release names one stack
 * (src/catalog/distributions.ts); stages read the entry and never branch on the release.
 */
export interface NetworkStack {
  /** Packages installed with the base set. */
  packages: string[];
  /** Files written into the tree by the configure stage. */
  files: Array<{ path: string; content: string }>;
  /** /etc/resolv.conf: an empty file the DHCP client fills in, or a link to a resolver's own file under /run. */
  resolvConf: { content: string } | { symlink: string };
  /** Units enabled at build time (their packages may not enable them inside a chroot). */
  enable: string[];
  /** cloud-init's `system_info.network.renderers`: the only one it may pick. */
  cloudInitRenderers: string[];
}

export type NetworkStackName = 'ifupdown' | 'networkd';

export const networkStacks: Record<NetworkStackName, NetworkStack> = {
  // Debian 12's genericcloud stack: cloud-init writes /etc/network/interfaces.d/50-cloud-init, dhclient runs DHCP.
  ifupdown: {
    packages: ['ifupdown', 'isc-dhcp-client'],
    files: [{
      path: '/etc/network/interfaces',
      content: 'auto lo\niface lo inet loopback\n\n# cloud-init writes the network configuration here\nsource /etc/network/interfaces.d/*\n',
    }],
    resolvConf: { content: '' },
    enable: [],
    cloudInitRenderers: ['eni'],
  },
  // Debian 13: cloud-init's own networkd renderer writes /etc/systemd/network/10-cloud-init-<link>.network,
  // systemd-networkd runs DHCP, systemd-resolved serves DNS from the lease. Not netplan (what Debian's own
  // trixie images use): it only translates YAML into the same networkd files, and brings GLib and a
  // generator that runs at every boot (1.8 MiB of the compressed image). (ifupdown in trixie brought no
  // interface up, failed networking.service and left systemd "degraded".)
  networkd: {
    packages: ['systemd-resolved'],
    files: [
      {
        // resolved answers LLMNR and mDNS on every interface by default: a cloud VM must listen on 22 only
        path: '/etc/systemd/resolved.conf.d/50-herd.conf',
        content: '# Written by Herd: no multicast name services on a cloud VM (they listen on every interface).\n[Resolve]\nLLMNR=no\nMulticastDNS=no\n',
      },
      {
        // cloud-init's network stage waits for wait-online; by default it waits for every link networkd
        // manages, up to 2 minutes. One link with an address is enough to reach the metadata service.
        path: '/etc/systemd/system/systemd-networkd-wait-online.service.d/50-herd.conf',
        content: '# Written by Herd: online as soon as one link is configured; never stall boot for minutes.\n' +
          '[Service]\nExecStart=\nExecStart=/usr/lib/systemd/systemd-networkd-wait-online --any --timeout=30\n',
      },
    ],
    resolvConf: { symlink: '../run/systemd/resolve/stub-resolv.conf' },
    enable: ['systemd-networkd.service', 'systemd-resolved.service'],
    cloudInitRenderers: ['networkd'],
  },
};
