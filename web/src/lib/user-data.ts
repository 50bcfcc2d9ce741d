import { stringify } from 'yaml';

/** What the user-data helper asks for; every field as typed (validation reads the text, never trusts it). */
export interface UserDataInput {
  /** Title and version of the chosen image, written as a comment only. */
  image?: { title: string; version?: string };
  userName: string;
  sshKeys: string;
  sudo: boolean;
  packages: string;
  commands: string;
}

export type UserDataField = 'userName' | 'sshKeys' | 'packages' | 'commands';
export interface FieldError { field: UserDataField; label: string; message: string }

export const FIELD_LABELS: Record<UserDataField, string> = {
  userName: 'User name',
  sshKeys: 'SSH public keys',
  packages: 'Packages',
  commands: 'Commands to run at first boot',
};

// the user names useradd accepts by default on Debian, without the names the image already has
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
const SYSTEM_USERS = new Set(['root', 'daemon', 'bin', 'sys', 'sync', 'games', 'man', 'lp', 'mail', 'news', 'uucp', 'proxy', 'www-data', 'backup', 'list', 'irc', 'nobody', 'systemd-network', 'systemd-timesync', 'messagebus', 'sshd', '_apt']);
// Debian policy 5.6.1: lower case letters, digits, + - . ; at least two characters, starting alphanumeric
const PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;
const KEY_TYPES = ['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com'];
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/;
const MAX_COMMAND = 1000;

const lines = (s: string) => s.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');

/** Package names from a list separated by spaces, commas or new lines. */
export function packageNames(s: string): string[] {
  return s.split(/[\s,]+/).filter((p) => p !== '');
}

/**
 * Why an OpenSSH public key line is not one, or undefined when it is: a known type, then base64 whose
 * decoded blob starts with the same type name (so a key pasted under the wrong prefix is caught too).
 */
export function sshKeyProblem(line: string): string | undefined {
  const [type, blob] = line.split(/\s+/);
  if (!type || !KEY_TYPES.includes(type)) return `"${short(line)}" does not start with a key type (${KEY_TYPES.slice(0, 3).join(', ')}, …); paste the .pub file, not the private key`;
  if (!blob || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob) || blob.length % 4 !== 0) return `the ${type} key is not followed by base64 key data`;
  let bytes: string;
  try {
    bytes = atob(blob);
  } catch {
    return `the ${type} key's data is not valid base64`;
  }
  const n = bytes.length >= 4 ? ((bytes.charCodeAt(0) << 24) | (bytes.charCodeAt(1) << 16) | (bytes.charCodeAt(2) << 8) | bytes.charCodeAt(3)) : -1;
  if (bytes.slice(4, 4 + n) !== type) return `the key data is not a ${type} key (was the line edited or cut?)`;
  return undefined;
}

function short(s: string): string {
  return s.length > 24 ? `${s.slice(0, 24)}…` : s;
}

/** Every problem of every field at once, each naming its field. */
export function validateUserData(i: UserDataInput): FieldError[] {
  const errors: FieldError[] = [];
  const add = (field: UserDataField, message: string) => errors.push({ field, label: FIELD_LABELS[field], message });
  const name = i.userName.trim();
  if (!name) add('userName', 'is required');
  else if (!USER_NAME.test(name)) add('userName', `"${short(name)}" is not a user name: lower-case letters, digits, _ and -, starting with a letter or _, at most 32 characters`);
  else if (SYSTEM_USERS.has(name)) add('userName', `"${name}" is a system account of the image; choose another name`);
  const keys = lines(i.sshKeys);
  if (keys.length === 0) add('sshKeys', 'at least one key is required: the images allow SSH with keys only');
  keys.forEach((k, n) => { const p = sshKeyProblem(k); if (p) add('sshKeys', `line ${n + 1}: ${p}`); });
  for (const p of packageNames(i.packages)) {
    if (!PACKAGE.test(p)) add('packages', `"${short(p)}" is not a Debian package name (lower-case letters, digits, + - and ., at least two characters)`);
  }
  lines(i.commands).forEach((c, n) => {
    if (CONTROL.test(c)) add('commands', `line ${n + 1} holds a control character`);
    else if (c.length > MAX_COMMAND) add('commands', `line ${n + 1} is longer than ${MAX_COMMAND} characters`);
  });
  return errors;
}

/** The #cloud-config document for a valid input (call validateUserData first). */
export function renderUserData(i: UserDataInput): string {
  const user: Record<string, unknown> = {
    name: i.userName.trim(),
    shell: '/bin/bash',
    lock_passwd: true,
    ...(i.sudo ? { groups: ['sudo'], sudo: 'ALL=(ALL) NOPASSWD:ALL' } : {}),
    ssh_authorized_keys: lines(i.sshKeys),
  };
  const packages = [...new Set(packageNames(i.packages))];
  const commands = lines(i.commands);
  const doc: Record<string, unknown> = {
    // "default" keeps the image's own user (debian) alongside the new one
    users: ['default', user],
    ...(packages.length ? { package_update: true, packages } : {}),
    ...(commands.length ? { runcmd: commands } : {}),
  };
  const about = i.image ? `# for ${oneLine(i.image.title)}${i.image.version ? ` ${oneLine(i.image.version)}` : ''}\n` : '';
  return `#cloud-config\n${about}${stringify(doc, { lineWidth: 0 })}`;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
