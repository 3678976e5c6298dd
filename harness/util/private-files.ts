import { appendFileSync, chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { redactText } from './redact.ts';

/**
 * Files and directories the harness creates that can hold a secret: owner-only (0700 directories, 0600 files),
 * whatever the umask, and their text passed through the redaction rule on the way out.
 */
export function mkdirPrivate(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Writes text owner-only, every secret in it masked. */
export function writePrivate(path: string, text: string): void {
  writeFileSync(path, redactText(text), { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** Appends text owner-only, every secret in it masked. */
export function appendPrivate(path: string, text: string): void {
  appendFileSync(path, redactText(text), { mode: 0o600 });
}

/** Writes binary or already-checked content owner-only (no redaction: compressed snapshots are data rows). */
export function writePrivateRaw(path: string, data: string | Uint8Array): void {
  writeFileSync(path, data, { mode: 0o600 });
  chmodSync(path, 0o600);
}
