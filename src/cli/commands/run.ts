import { Command, Option } from 'commander';
import { AppError } from '../../errors.ts';
import { runVm, waitForSshBanner } from '../../qa/run-vm.ts';

interface RunFlags { firmware: 'bios' | 'uefi'; key?: string; user?: string; port?: string; memory: string }

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('boot an image for interactive use: your SSH key via NoCloud, SSH on 127.0.0.1, Ctrl-C stops it')
    .argument('<image>', 'disk image (raw or qcow2); it is never modified (a throwaway overlay takes the writes)')
    .addOption(new Option('--firmware <fw>', 'firmware').choices(['bios', 'uefi']).default('uefi'))
    .option('--key <file>', 'SSH public key to authorise (default: ~/.ssh/id_ed25519.pub, id_ecdsa.pub or id_rsa.pub)')
    .option('--user <name>', 'user to create in the guest (default: your login name, or "herd" for root)')
    .option('--port <port>', 'host port on 127.0.0.1 for SSH (default: a free one)')
    .option('--memory <MiB>', 'guest memory', '2048')
    .action(async (image: string, flags: RunFlags) => {
      const port = flags.port === undefined ? undefined : positiveInt('--port', flags.port);
      const log = (s: string) => process.stderr.write(s + '\n');
      const running = await runVm({
        image, firmware: flags.firmware, publicKeyFile: flags.key, user: flags.user, port,
        memoryMiB: positiveInt('--memory', flags.memory), log,
      });
      const stop = () => { void running.stop(); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      log(`booting (QEMU pid ${running.vm.pid}); serial console log: ${running.serialLog}`);
      const t0 = Date.now();
      if (await waitForSshBanner(running.vm.spec.sshPort, running.vm)) {
        log(`SSH answers after ${Math.round((Date.now() - t0) / 1000)}s (cloud-init may still be adding your key):`);
        process.stdout.write(`${running.sshCommand}\n`);
        log('press Ctrl-C to power the VM off');
      }
      const code = await running.vm.exited;
      await running.stop();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (code !== 0 && code !== null) {
        throw new AppError('run.vm_failed', `QEMU exited with ${code}`, { kind: 'dependency', hint: running.vm.stderr().trim() });
      }
    });
}

function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0 || n > 65535 * 1024) throw new AppError('cli.bad_number', `${flag} must be a positive integer, got "${v}"`);
  return n;
}
