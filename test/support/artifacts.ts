/**
 * Where end-to-end tests keep what a failed run needs for diagnosis: child process logs, SIPp
 * statistics and error traces. The folder is git-ignored and kept between runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Absolute path of `test/.artifacts/`. */
export const ARTIFACTS_DIR = path.resolve(__dirname, '..', '.artifacts');

/**
 * Path of a new artifact file named `<label>-<timestamp>-<pid><suffix>`, creating the folder.
 * Labels are reduced to `[A-Za-z0-9._-]` so they are safe as file names.
 */
export function artifactPath(label: string, suffix: string): string {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const safe = label.replace(/[^A-Za-z0-9._-]+/g, '_');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return path.join(ARTIFACTS_DIR, `${safe}-${stamp}-${process.pid}${suffix}`);
}

/** Last `maxLines` lines of a text file, or '' when it does not exist (for failure messages). */
export function tailOfFile(file: string, maxLines = 40): string {
  if (!fs.existsSync(file)) return '';
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  return lines.slice(-maxLines).join('\n');
}
